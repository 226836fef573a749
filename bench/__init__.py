"""Load benchmarks: `python -m bench.load` drives the bot and an echo bot over HTTP."""
