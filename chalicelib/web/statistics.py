"""The public statistics page: a province's figures per day and directorate, as an accessible
table and a bar chart drawn on the server (SVG), with no script and no sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from chalicelib.contract import DayFigures, StatisticsQuery
from chalicelib.domain.catalogue import find_directorate
from chalicelib.services import catalogue, statistics
from chalicelib.web.common import field_error
from chalicelib.web.frame import WebRequest, WebResponse
from chalicelib.web.render import render

DAYS = 14
DEFAULT_PROVINCE = "34"
BAR_WIDTH, CHART_HEIGHT = 22, 120


@dataclass(frozen=True)
class Bar:
    x: int
    offered_height: int
    booked_height: int
    day: str
    offered: int
    booked: int


@dataclass(frozen=True)
class Chart:
    name: str
    width: int
    height: int
    bars: list[Bar]
    rows: list[tuple[str, DayFigures]]


def page(request: WebRequest) -> WebResponse:
    province = request.query.get("province", DEFAULT_PROVINCE)
    provinces = catalogue.provinces()
    try:
        query = StatisticsQuery.model_validate({"province": province, "days": DAYS})
    except ValidationError:
        return render(request, "statistics.html", status=400, provinces=provinces, province=province, charts=[],
                      errors=[field_error(request, "stats.province.invalid", "province")])
    figures = statistics.statistics(query)
    series: dict[str, list[tuple[str, DayFigures]]] = {}
    for day in figures.days:
        series.setdefault("", []).append((day.date.isoformat(), day.province))
        for directorate in day.directorates:
            series.setdefault(directorate.directorate, []).append((day.date.isoformat(), directorate))
    charts = [_chart(_name(key, province, provinces), rows) for key, rows in series.items()]
    return render(request, "statistics.html", provinces=provinces, province=province, charts=charts)


def _name(directorate_id: str, province: str, provinces) -> str:
    if not directorate_id:
        return next((p.name for p in provinces if p.code == province), province)
    directorate = find_directorate(directorate_id)
    return directorate.name if directorate else directorate_id


def _chart(name: str, rows: list[tuple[str, DayFigures]]) -> Chart:
    top = max([figures.offered for _, figures in rows] + [figures.booked for _, figures in rows] + [1])
    bars = [
        Bar(x=index * (BAR_WIDTH + 4), offered_height=round(CHART_HEIGHT * figures.offered / top),
            booked_height=round(CHART_HEIGHT * figures.booked / top), day=day, offered=figures.offered, booked=figures.booked)
        for index, (day, figures) in enumerate(rows)
    ]
    return Chart(name=name, width=max(len(bars), 1) * (BAR_WIDTH + 4), height=CHART_HEIGHT, bars=bars, rows=rows)
