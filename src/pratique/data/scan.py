"""The pre-training check: decode every file fully and report what is wrong with the data.

Errors (training refuses to start): corrupt or truncated files, files that are not images, empty
classes, a single class, val/test classes that train lacks. Warnings: extensions that lie about the content, non-image files left
out, class imbalance, mixed colour modes, tiny images, identical files in train and val/test.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

_FORMAT_EXT = {"JPEG": (".jpg", ".jpeg"), "MPO": (".jpg", ".jpeg"), "PNG": (".png",), "BMP": (".bmp",),
               "GIF": (".gif",), "WEBP": (".webp",), "TIFF": (".tif", ".tiff")}
_CACHE: dict[tuple, dict] = {}  # (path, size, mtime_ns) -> probe result
TINY = 16  # pixels: smaller sides are reported
_BAD_KINDS = ("corrupt", "not_image", "missing")  # files that skip_bad may leave out
IMBALANCE = 5.0  # largest / smallest class count that is reported


@dataclass
class Issue:
    severity: str  # "error" | "warning"
    kind: str  # corrupt, not_image, empty_class, single_class, extension, non_image_file, ...
    message: str
    paths: list[str] = field(default_factory=list)


@dataclass
class Report:
    """What the check found; `str(report)` for people, `report.to_dict()` for JSON."""

    n_files: int = 0
    counts: dict = field(default_factory=dict)  # split -> {class: count}
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def bad_files(self) -> dict[str, str]:
        """{path: reason} for every file that cannot be used."""
        return {p: i.message.removeprefix(f"{p}: ") for i in self.errors
                if i.kind in _BAD_KINDS for p in i.paths}

    def to_dict(self) -> dict:
        return {"ok": self.ok, "n_files": self.n_files, "counts": self.counts,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "issues": [asdict(i) for i in self.issues]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        lines = [f"Checked {self.n_files} files: {len(self.errors)} errors, {len(self.warnings)} warnings."]
        for split, counts in self.counts.items():
            lines.append(f"  {split}: " + ", ".join(f"{c}={n}" for c, n in counts.items()))
        for i in self.issues:
            lines.append(f"{i.severity.upper()} [{i.kind}] {i.message}")
            lines += [f"    {p}" for p in i.paths[:50]]
            if len(i.paths) > 50:
                lines.append(f"    ... and {len(i.paths) - 50} more")
        return "\n".join(lines)


def probe(path: str) -> dict:
    """Decode `path` fully; {ok, error, format, mode, size, md5}. Cached by path + size + mtime."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {"ok": False, "kind": "missing", "error": "file does not exist"}
    except OSError as e:
        return {"ok": False, "kind": "corrupt", "error": f"{type(e).__name__}: {e}"}
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = _probe(path)
    return _CACHE[key]


def probe_records(paths) -> list[list]:
    """[[path, size, mtime_ns, probe], ...] for the files probed with their present size and mtime
    (what the decoded-image cache keeps, so that a later run does not decode them again to check)."""
    out = []
    for p in dict.fromkeys(os.path.abspath(p) for p in paths):
        try:
            st = os.stat(p)
        except OSError:
            continue
        found = _CACHE.get((p, st.st_size, st.st_mtime_ns))
        if found is not None:
            out.append([p, st.st_size, st.st_mtime_ns, found])
    return out


def seed_probes(records) -> None:
    """Take `probe_records` of an earlier run; only files with the same size and mtime use them."""
    for r in records:
        if isinstance(r, list) and len(r) == 4 and isinstance(r[3], dict):  # else not ours: ignored
            _CACHE.setdefault((str(r[0]), r[1], r[2]), r[3])


def _probe(path: str) -> dict:
    from PIL import Image, UnidentifiedImageError

    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:  # removed since the stat
        return {"ok": False, "kind": "missing", "error": "file does not exist"}
    except OSError as e:  # a folder, no permission: a finding, not a crash of the whole scan
        return {"ok": False, "kind": "corrupt", "error": f"{type(e).__name__}: {e}"}
    digest = hashlib.md5(data).hexdigest()
    try:
        import io

        with Image.open(io.BytesIO(data)) as img:
            fmt, mode, size = img.format, img.mode, img.size
            img.load()  # the full decode: truncated files fail here
    except UnidentifiedImageError:
        return {"ok": False, "kind": "not_image", "error": "not an image (unknown format)", "md5": digest}
    except Exception as e:  # noqa: BLE001 - any decoder failure is a finding
        return {"ok": False, "kind": "corrupt", "error": f"{type(e).__name__}: {e}", "md5": digest}
    return {"ok": True, "format": fmt, "mode": mode, "size": list(size), "md5": digest}


def scan(splits: dict, classes: list[str], empty_classes=(), non_images=(), workers: int | None = None) -> Report:
    """Check `splits` = {split: (paths, labels)} where labels index `classes` (or are multi-hot)."""
    paths = [p for ps, _ in splits.values() for p in ps]
    workers = workers or min(8, (os.cpu_count() or 1) * 2)
    with ThreadPoolExecutor(workers) as pool:  # PIL's decoders release the GIL
        probes = dict(zip(paths, pool.map(probe, paths)))
    report = Report(n_files=len(paths))
    for split, (ps, labels) in splits.items():
        report.counts[split] = _counts(labels, classes)
    _file_issues(report, probes)
    _class_issues(report, classes, empty_classes)
    if non_images:
        report.issues.append(Issue("warning", "non_image_file",
                                   f"{len(non_images)} files without an image extension were left out",
                                   list(non_images)))
    _leakage(report, splits, probes)
    return report


def _counts(labels, classes) -> dict:
    import torch

    y = torch.as_tensor(labels)
    per = y.sum(0) if y.dim() == 2 else torch.bincount(y.long(), minlength=len(classes))
    return {c: int(n) for c, n in zip(classes, per.tolist())}


def _file_issues(report: Report, probes: dict) -> None:
    bad: dict[str, list[str]] = {k: [] for k in _BAD_KINDS}
    for p, r in probes.items():
        if not r["ok"]:
            bad[r.get("kind", "corrupt")].append(p)
    for kind, ps in bad.items():
        for p in ps:
            report.issues.append(Issue("error", kind, f"{p}: {probes[p]['error']}", [p]))
    good = {p: r for p, r in probes.items() if r["ok"]}
    lying = [p for p, r in good.items()
             if not p.lower().endswith(_FORMAT_EXT.get(r["format"], (p.lower()[-5:],)))]
    if lying:
        report.issues.append(Issue("warning", "extension", f"{len(lying)} files hold another format "
                                   "than their extension says (they are read by content)", lying))
    modes = Counter(r["mode"] for r in good.values())
    if len(modes) > 1:
        examples = {m: [p for p, r in good.items() if r["mode"] == m][:3] for m in modes}
        shown = "; ".join(f"{m}: {', '.join(ps)}" for m, ps in examples.items())
        report.issues.append(Issue("warning", "mixed_modes", f"mixed colour modes {dict(modes)}; all "
                                   f"are converted to one color_mode. Examples: {shown}",
                                   [p for ps in examples.values() for p in ps]))
    tiny = [p for p, r in good.items() if min(r["size"]) < TINY]
    if tiny:
        report.issues.append(Issue("warning", "tiny", f"{len(tiny)} images smaller than {TINY} px "
                                   "on a side", tiny))


def _class_issues(report: Report, classes, empty_classes) -> None:
    for c in empty_classes:
        report.issues.append(Issue("error", "empty_class", f"class {c!r} has no images; remove "
                                   "the folder or add images"))
    train = report.counts.get("train", {})
    present = [c for c, n in train.items() if n > 0]
    if len(present) < 2:
        report.issues.append(Issue("error", "single_class", f"training data has {len(present)} "
                                   f"class(es) {present}; a classifier needs at least 2"))
    elif min(train[c] for c in present) * IMBALANCE < max(train.values()):
        report.issues.append(Issue("warning", "imbalance", f"class imbalance {train}; consider "
                                   "class_weight='balanced' or sampler='weighted'"))


def _leakage(report: Report, splits: dict, probes: dict) -> None:
    if "train" not in splits:
        return
    train = {probes[p].get("md5"): p for p in splits["train"][0] if probes[p]["ok"]}
    for split in ("val", "test"):
        if split in splits:
            dup = [f"{p} == {train[probes[p]['md5']]}" for p in splits[split][0]
                   if probes[p]["ok"] and probes[p].get("md5") in train]
            if dup:
                report.issues.append(Issue("warning", "leakage", f"{len(dup)} files in {split} are "
                                           "identical to files in train", dup))


def check_folder(root) -> Report:
    """Scan a root of class folders, or one with train/ val|valid|validation/ test/ subfolders.

    Example:
        >>> print(check_folder("pets/"))
    """
    from .sources import encode_labels, folder_layout, list_class_folders

    layout = folder_layout(root)
    splits, raw, empty, others = {}, {}, [], []
    for split, folder in layout.items():
        paths, labels, e, o = list_class_folders(folder)
        splits[split], raw[split] = paths, labels
        empty += [f"{split}/{c}" for c in e]
        others += o
    # all splits' classes, so that val/test files are still counted and checked for leakage
    classes = sorted(set().union(*map(set, raw.values())))
    classes, ys, _ = encode_labels(raw, classes)
    report = scan({k: (splits[k], ys[k]) for k in splits}, classes, empty, others)
    train = set(raw["train"]) | {c.split("/", 1)[1] for c in empty if c.startswith("train/")}
    for split in ("val", "test"):
        _unknown_classes(report, split, layout.get(split), set(raw.get(split, ())) - train)
    return report


def _unknown_classes(report: Report, split: str, folder, unknown: set) -> None:
    if unknown:
        folders = [os.path.join(folder, c) for c in sorted(unknown)]
        report.issues.append(Issue("error", "unknown_class", f"{split} has class folders that train "
                                   f"has not: {sorted(unknown)}; a model cannot learn them. Add "
                                   f"training images for them or remove these folders", folders))
