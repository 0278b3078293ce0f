from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling behind `make bench`: `generate_synthetic` and `benchmark` commands.

    No models and no URLs; installed only so that manage.py finds its commands.
    """

    name = "bench"
    verbose_name = "Benchmarks"
