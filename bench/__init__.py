"""The benchmark: synthetic communes, a hand-written baseline, an exact oracle, and run.py."""
