"""`python -m genimg.invert`: runs the command line in genimg/inversion.py. In Python, genimg.invert is a function
(genimg.inversion.invert); importing this file as a module is refused, so the name never means two things."""

if __name__ != "__main__":
    raise ImportError("genimg.invert is a function (genimg.inversion.invert); the command line's code is "
                      "genimg.inversion (python -m genimg.invert runs it)")

from genimg.inversion import main  # noqa: E402

raise SystemExit(main())
