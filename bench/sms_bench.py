"""What the appointment SMS cost: segments per appointment and language, before issue 11 and now.

`python -m bench.sms_bench [--quick | --smoke]`, in-process (no local stack: the texts are
rendered by the same domain functions the notification sender calls, and counted with the GSM
03.38 codec). "Before" is the frozen copy of the old templates in `bench/sms_before.py`, rendered
as the service rendered them then; "after" is `chalicelib.domain.notices.sms` today.

For every directorate of the catalogue × every service (the old texts carried the service and
what to bring) × a date and hour of two digits each, a 12-character reference, a six-digit
check-in code, a given name of 20 characters with Turkish letters (the longest an SMS carries
now) and the default portal link. Per language it prints the segments of an appointment —
confirmation + reminder, what every appointment gets (mean and maximum over the combinations) —
then with the cancellation as well (a closure: the worst case), and how the messages travel.
Budgets (issue 11): confirmation + reminder ≤ 3 segments in Turkish and English, ≤ 4 in Arabic,
Persian, Russian and Ukrainian (UCS-2); a combination over budget makes the run fail. Persian,
Russian and Ukrainian were sent in English before issue 12: their "before" is the English text.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from bench import smoke
from bench import sms_before
from chalicelib.domain import notices
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import DIRECTORATES, SERVICES
from chalicelib.domain.sms_text import encoding, segments
from chalicelib.i18n import LANGUAGES
from chalicelib.settings import DEFAULT_PORTAL_URL

BUDGET = {"tr": 3, "en": 3, "ar": 4, "fa": 4, "ru": 4, "uk": 4}  # Arabic, Persian, Cyrillic: UCS-2
START = datetime(2026, 12, 31, 16, 30, tzinfo=ISTANBUL)
REFERENCE = "GOC-WXYZ9876"
CODE = "987654"
NAME = "Ayşegül Gülşah Nazlı"
REASON = {
    "tr": "Binada elektrik kesintisi", "en": "Power cut in the building", "ar": "انقطاع الكهرباء في المبنى",
    "fa": "قطع برق در ساختمان", "ru": "Отключение электричества в здании", "uk": "Відключення електрики в будівлі",
}


@dataclass(frozen=True)
class Plan:
    directorates: int | None  # None: all of them
    services: int | None


FULL = Plan(directorates=None, services=None)
QUICK = Plan(directorates=20, services=3)
SMOKE = Plan(directorates=3, services=1)


@dataclass
class Tally:
    pair: list[int]
    with_cancellation: list[int]
    encodings: Counter

    def pair_figure(self) -> str:
        kinds = "+".join(kind for kind, _ in self.encodings.most_common())
        return f"{mean(self.pair):.1f} (max {max(self.pair)}, {kinds})"

    def cancellation_figure(self) -> str:
        return f"{mean(self.with_cancellation):.1f} (max {max(self.with_cancellation)})"


def _facts(directorate, service, language: str) -> notices.AppointmentFacts:
    return notices.AppointmentFacts(
        appointment_id="bench", reference=REFERENCE, booked_at=START - timedelta(days=10), start=START,
        end=START + timedelta(minutes=30), directorate=directorate, service=service, given_name=NAME,
        email="bench@example.org", language=language, portal_url=DEFAULT_PORTAL_URL,
    )


def measure(plan: Plan, language: str) -> tuple[Tally, Tally]:
    before, after = Tally([], [], Counter()), Tally([], [], Counter())
    for directorate in DIRECTORATES[: plan.directorates]:
        for service in [s for s in SERVICES if directorate.offers(s.code)][: plan.services]:
            facts = _facts(directorate, service, language)
            old = [sms_before.sms(notices.CONFIRMED, facts), sms_before.sms(notices.REMINDER, facts, code=CODE),
                   sms_before.sms(notices.CANCELLED, facts, reason=REASON[language])]
            new = [notices.sms(notices.CONFIRMED, facts), notices.sms(notices.REMINDER, facts, code=CODE),
                   notices.sms(notices.CANCELLED, facts)]
            for tally, texts in ((before, old), (after, new)):
                counts = [segments(text) for text in texts]
                tally.pair.append(counts[0] + counts[1])
                tally.with_cancellation.append(sum(counts))
                tally.encodings.update(encoding(text) for text in texts)
    return before, after


def run(plan: Plan, out) -> int:
    combinations = sum(1 for d in DIRECTORATES[: plan.directorates] for _ in [s for s in SERVICES if d.offers(s.code)][: plan.services])
    print(f"SMS segments per appointment: confirmation + reminder, mean (max) over {combinations} "
          f"directorate × service combinations; budget {', '.join(f'{code} {budget}' for code, budget in BUDGET.items())}", file=out)
    over = []
    for language in LANGUAGES:
        before, after = measure(plan, language)
        print(f"sms segments per appointment, {language}: before {before.pair_figure()}, after {after.pair_figure()}; "
              f"with a cancellation: before {before.cancellation_figure()}, after {after.cancellation_figure()}", file=out)
        if max(after.pair) > BUDGET[language]:
            over.append(language)
    if over:
        print(f"over budget: {', '.join(over)}", file=out)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke.add_size_flags(parser, quick="20 directorates, 3 services each")
    args = parser.parse_args(argv)
    if args.smoke:
        smoke.announce()
    return run(SMOKE if args.smoke else QUICK if args.quick else FULL, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
