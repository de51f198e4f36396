"""Performance figures: `python -m bench` (`make bench`). probe.py measures one `cwh run` by stage,
figures.py runs what is measured, floor.py is the floor, readme.py writes the README's table."""
