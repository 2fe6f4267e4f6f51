from datetime import date

from chalicelib.adapters.tables import DirectorateDay, Slot
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import find_directorate
from chalicelib.services.catalogue import extend_slot_horizon

BORNOVA = find_directorate("35-bornova")  # used by no other test: its days are this test's
MONDAY = date(2027, 3, 1)


def test_the_horizon_opens_each_working_day_once_with_its_slots(aws):
    opened = extend_slot_horizon(today=MONDAY, only=(BORNOVA,))
    expected_days = calendar.horizon_days(MONDAY, 21)
    assert opened == len(expected_days)
    days = [d.day for d in DirectorateDay.query(BORNOVA.id)]
    assert days == [d.isoformat() for d in expected_days]
    first_day = expected_days[0].isoformat()
    slots = list(Slot.query(BORNOVA.id, Slot.start.startswith(first_day)))
    assert [s.start[-5:] for s in slots][:2] == ["08:30", "09:00"] and len(slots) == 16
    assert all(s.capacity == BORNOVA.desks and s.booked == 0 for s in slots)
    assert "international_protection" not in slots[0].services  # a service point, not the provincial MD


def test_rolling_forward_opens_only_new_days_and_never_resets_taken_capacity(aws):
    extend_slot_horizon(today=MONDAY, only=(BORNOVA,))
    first_day = calendar.horizon_days(MONDAY, 21)[0].isoformat()
    taken = next(iter(Slot.query(BORNOVA.id, Slot.start.startswith(first_day))))
    taken.update(actions=[Slot.booked.add(2)])

    again = extend_slot_horizon(today=MONDAY, only=(BORNOVA,))
    next_day = extend_slot_horizon(today=date(2027, 3, 2), only=(BORNOVA,))

    assert again == 0
    assert next_day == 1  # one new working day entered the horizon
    assert Slot.get(BORNOVA.id, taken.start).booked == 2
