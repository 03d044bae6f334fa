"""Calibration, feeding the scenario: flight tables in, priors and forecast scores out.

:mod:`.flights` reads the Soyuz flight tables (``data/``); :mod:`.fitting` fits rates, intervals and
slip distributions; :mod:`.calibrate` writes the fleet priors that scenarios extend; :mod:`.backtest`
forecasts flights the priors never saw (by running the model) and :mod:`.scoring` scores them.
"""

from sim.calibration.calibrate import Calibration, calibrate
from sim.calibration.flights import FlightRecord, read_flights
from sim.calibration.priors_file import priors_yaml

__all__ = ["Calibration", "FlightRecord", "calibrate", "priors_yaml", "read_flights"]
