"""`python -m genimg.sample`: runs the command line in genimg/sample_cli.py. In Python, genimg.sample is a function
(genimg.sampling.sample); importing this file as a module is refused, so the name never means two things."""

if __name__ != "__main__":
    raise ImportError("genimg.sample is a function (genimg.sampling.sample); the command line's code is "
                      "genimg.sample_cli (python -m genimg.sample runs it)")

from genimg.sample_cli import main  # noqa: E402

raise SystemExit(main())
