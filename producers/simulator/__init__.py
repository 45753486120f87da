"""The traffic simulator: realistic multi-agency case lifecycles, deterministic for a seed."""

from producers.simulator.simulation import Simulation, simulate_events

__all__ = ["Simulation", "simulate_events"]
