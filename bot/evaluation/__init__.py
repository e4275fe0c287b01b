"""`polyqa eval`: datasets (dataset.py), pure metrics (metrics.py), answer checks
(answers.py), the run through the service (run.py) and its report (report.py)."""
