"""CDK stacks of the appointment service (one stack per deployment prefix)."""

from infrastructure.stacks.appointments import AppointmentsStack

__all__ = ["AppointmentsStack"]
