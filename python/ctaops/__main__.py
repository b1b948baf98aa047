"""``python -m ctaops``: the same command line as the ``ctaops`` console script."""

from ctaops._cli import main

if __name__ == "__main__":
    main()
