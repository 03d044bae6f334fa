"""crewsim: schedule-risk simulation of crewed spaceflight rotations."""

__version__ = "0.1.0"
