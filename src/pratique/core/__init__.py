"""The ground floor: what every other floor may use (errors, atomic I/O, seeding, the one `Registry`)."""
