"""Weight and length units the warehouse may send, converted to the ones Acumatica keeps.

Acumatica stores a package's weight in the company's weight UOM and its dimensions in the
linear UOM (the Boxes form shows both); the contract API takes bare numbers, so a figure in
another unit must be converted before it is sent. Only units with an exact definition are
accepted: an unknown unit stops the write-back rather than writing a wrong weight.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Exact factors (international avoirdupois pound, 1959).
_KG = {
    "KG": Decimal(1),
    "G": Decimal("0.001"),
    "LB": Decimal("0.45359237"),
    "OZ": Decimal("0.028349523125"),
}
_M = {
    "M": Decimal(1),
    "CM": Decimal("0.01"),
    "MM": Decimal("0.001"),
    "IN": Decimal("0.0254"),
    "FT": Decimal("0.3048"),
}
_ALIASES = {
    "KGS": "KG",
    "KILOGRAM": "KG",
    "KILOGRAMS": "KG",
    "GR": "G",
    "GRAM": "G",
    "GRAMS": "G",
    "LBS": "LB",
    "POUND": "LB",
    "POUNDS": "LB",
    "OUNCE": "OZ",
    "OUNCES": "OZ",
    "INCH": "IN",
    "INCHES": "IN",
    "FOOT": "FT",
    "FEET": "FT",
    "METER": "M",
    "METRE": "M",
    "METERS": "M",
    "METRES": "M",
}
# Acumatica's weight and dimension fields keep 4 decimals (SOPackageDetail).
PLACES = Decimal("0.0001")


class UnknownUnit(ValueError):
    def __init__(self, unit: str, known: list[str]) -> None:
        self.unit = unit
        self.known = known
        super().__init__(f"unit {unit!r} is not one of {', '.join(known)}")


def _canonical(unit: str) -> str:
    key = (unit or "").strip().upper().rstrip(".")
    return _ALIASES.get(key, key)


def _convert(value: Decimal, unit: str, target: str, table: dict[str, Decimal]) -> Decimal:
    source, goal = _canonical(unit), _canonical(target)
    known = sorted(table)
    if source not in table:
        raise UnknownUnit(unit, known)
    if goal not in table:
        raise UnknownUnit(target, known)
    if source == goal:
        return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)
    return (Decimal(value) * table[source] / table[goal]).quantize(PLACES, rounding=ROUND_HALF_UP)


def convert_weight(value: Decimal, unit: str, target: str) -> Decimal:
    return _convert(value, unit, target, _KG)


def convert_length(value: Decimal, unit: str, target: str) -> Decimal:
    return _convert(value, unit, target, _M)


def same_unit(a: str, b: str) -> bool:
    return _canonical(a) == _canonical(b)
