"""The nine seed sub-criteria in OpenFisca (openfisca-core), vectorised as its documentation recommends.

One entity (the commune), one input variable per fact, one variable per
sub-criterion whose formula works on whole numpy arrays, and their total.
Floats are OpenFisca's `float` value type (stored as float32); rounding to 3
decimals half-up is written the way one writes it with numpy. Only imported
when openfisca-core is installed (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

YEAR = DateUnit.YEAR
PERIOD = "2023"

Commune = build_entity(key="commune", plural="communes", label="Xã", is_person=True)

INPUTS: dict[str, type] = {
    "doi_thoai": int,
    "co_sang_kien": bool,
    "ty_le_lien_thong": float,  # a fraction: 75 % is 0.75
    "ho_so_tiep_nhan": int,
    "ho_so_tra_lai": int,
    "ho_so_tam_dung": int,
    "cong_chuc": int,
    "cong_chuc_chua_dat_chuan": int,
    "von_dau_tu_ke_hoach": float,
    "von_dau_tu_giai_ngan": float,
    "tthc_truc_tuyen": int,
    "tthc_co_ho_so_truc_tuyen": int,
    "ho_so_tong_den_31_10": int,
    "ho_so_truc_tuyen_den_31_10": int,
}


def _input(name: str, kind: type) -> type[Variable]:
    return type(name, (Variable,), {"value_type": kind, "entity": Commune, "definition_period": YEAR, "label": name})


def round3(x: Any) -> Any:
    """Half-up at 3 decimals, vectorised."""
    return np.floor(x * 1000 + 0.5) / 1000


def _safe(denominator: Any) -> Any:
    return np.where(denominator == 0, 1, denominator)


class s_1_5_2(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "1.5.2 Người đứng đầu đối thoại với nhân dân"

    def formula(commune: Any, period: Any) -> Any:
        return np.where(commune("doi_thoai", period) >= 5, 0.5, 0)


class s_1_6_1(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "1.6.1 Có sáng kiến"

    def formula(commune: Any, period: Any) -> Any:
        return np.where(commune("co_sang_kien", period), 2, 0)


class s_3_3_3(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "3.3.3 Liên thông"

    def formula(commune: Any, period: Any) -> Any:
        rate = commune("ty_le_lien_thong", period)
        return np.select([rate >= 1, rate >= 0.75, rate >= 0.5], [1, 0.75, 0.5], 0)


class s_3_5_2(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "3.5.2 Hồ sơ bị trả lại"

    def formula(commune: Any, period: Any) -> Any:
        files = commune("ho_so_tiep_nhan", period)
        returned = commune("ho_so_tra_lai", period)
        return np.where(files == 0, 1, round3(1 * (1 - returned / _safe(files))))


class s_3_5_3(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "3.5.3 Hồ sơ bị tạm dừng"

    def formula(commune: Any, period: Any) -> Any:
        files = commune("ho_so_tiep_nhan", period)
        paused = commune("ho_so_tam_dung", period)
        return np.where(files == 0, 1, round3(1 * (1 - paused / _safe(files))))


class s_5_4_2(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "5.4.2 Công chức đạt chuẩn"

    def formula(commune: Any, period: Any) -> Any:
        return np.where(commune("cong_chuc_chua_dat_chuan", period) == 0, 2, 0)


class s_6_1_1(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "6.1.1 Giải ngân vốn đầu tư công"

    def formula(commune: Any, period: Any) -> Any:
        plan = commune("von_dau_tu_ke_hoach", period)
        rate = commune("von_dau_tu_giai_ngan", period) / _safe(plan)
        return np.where(plan == 0, 0, np.select([rate >= 0.95, rate >= 0.75], [1, 0.5], 0))


class s_7_2_1(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "7.2.1 TTHC có phát sinh hồ sơ trực tuyến"

    def formula(commune: Any, period: Any) -> Any:
        procedures = commune("tthc_truc_tuyen", period)
        used = commune("tthc_co_ho_so_truc_tuyen", period)
        return np.where(procedures == 0, 1.5, round3(1.5 * used / _safe(procedures)))


class s_7_2_2(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "7.2.2 Tỷ lệ hồ sơ trực tuyến"

    def formula(commune: Any, period: Any) -> Any:
        files = commune("ho_so_tong_den_31_10", period)
        online = commune("ho_so_truc_tuyen_den_31_10", period)
        return np.where(files == 0, 3, round3(3 * online / _safe(files)))


SUBCRITERIA = (s_1_5_2, s_1_6_1, s_3_3_3, s_3_5_2, s_3_5_3, s_5_4_2, s_6_1_1, s_7_2_1, s_7_2_2)


class total(Variable):
    value_type = float
    entity = Commune
    definition_period = YEAR
    label = "Tổng điểm chín tiêu chí thành phần"

    def formula(commune: Any, period: Any) -> Any:
        return sum(commune(v.__name__, period) for v in SUBCRITERIA)


def system() -> TaxBenefitSystem:
    """The tax-benefit system holding the commune entity and the nine sub-criteria."""
    tbs = TaxBenefitSystem([Commune])
    for name, kind in INPUTS.items():
        tbs.add_variable(_input(name, kind))
    for variable in (*SUBCRITERIA, total):
        tbs.add_variable(variable)
    return tbs


def columns(units: list[dict[str, Any]], parse: dict[str, Any]) -> dict[str, np.ndarray]:
    """The input arrays of a batch of units (facts as a facts file holds them)."""
    return {name: np.array([parse[name](u[name]) for u in units]) for name in INPUTS}


def simulate(tbs: TaxBenefitSystem, arrays: dict[str, np.ndarray], trace: bool = False) -> Any:
    """One vectorised simulation of every unit; returns the simulation after computing the total."""
    count = len(next(iter(arrays.values())))
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("commune", [str(i) for i in range(count)])
    simulation = builder.build(tbs)
    simulation.trace = trace
    for name, values in arrays.items():
        simulation.set_input(name, PERIOD, values)
    simulation.calculate("total", PERIOD)
    return simulation
