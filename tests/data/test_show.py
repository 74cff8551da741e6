import numpy as np

from pratique.data.module import ImageData


def test_show_batch_titles_name_the_class_of_each_shown_image():
    # each class has its own grey level, so the pixels shown tell which class a tile holds
    classes, levels = ["cat", "dog", "owl"], [0, 120, 240]
    y = np.arange(12) % 3
    x = np.stack([np.full((6, 6), levels[k], np.uint8) for k in y])
    data = ImageData.from_numpy(x, y, classes=classes, batch_size=12, num_workers=0)
    fig = data.show_batch(n=9)
    tiles = [ax for ax in fig.axes if ax.images]
    assert len(tiles) == 9
    for ax in tiles:
        shown = float(np.asarray(ax.images[0].get_array()).mean()) * 255  # normalization undone
        k = int(np.argmin([abs(shown - v) for v in levels]))
        assert abs(shown - levels[k]) < 1 and ax.get_title() == classes[k]
    assert {ax.get_title() for ax in tiles} == set(classes)
