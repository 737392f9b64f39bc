"""Pure geography for deconfliction: coordinates in every grid, zones as data, activity notices and
the conflict engine. Imports only the standard library, shapely, pyproj and numpy; no I/O, no clock
(callers pass ``now``), no database. Every refusal is a ``GeoError(field, detail)``.
"""

from __future__ import annotations

from .conflicts import (
    DEFAULT_OVERLAP_BUFFER_M,
    ConflictEngine,
    all_conflicts_pairwise,
    conflicts_pairwise,
    late_finding,
)
from .coords import Location, check_latlon, format_all, format_dd, format_dms, format_itm, format_utm, parse_location
from .errors import GeoError
from .findings import RULES, Finding
from .geometry import DEFAULT_MAX_VERTICES, geometry_from_geojson, geometry_to_geojson, validate_geometry
from .grids import format_mgrs
from .notices import (
    DEFAULT_LEAD_TIMES,
    NOTICE_TYPES,
    Artillery,
    Forces,
    LeadTime,
    Notice,
    lead_time_check,
    notice_from_dict,
)
from .projection import METRIC_CRS, to_lonlat, to_metric
from .zones import KINDS, Zone, zone_from_feature, zone_to_feature

__all__ = [
    "DEFAULT_LEAD_TIMES",
    "DEFAULT_MAX_VERTICES",
    "DEFAULT_OVERLAP_BUFFER_M",
    "KINDS",
    "METRIC_CRS",
    "NOTICE_TYPES",
    "RULES",
    "Artillery",
    "ConflictEngine",
    "Finding",
    "Forces",
    "GeoError",
    "LeadTime",
    "Location",
    "Notice",
    "Zone",
    "all_conflicts_pairwise",
    "check_latlon",
    "conflicts_pairwise",
    "format_all",
    "format_dd",
    "format_dms",
    "format_itm",
    "format_mgrs",
    "format_utm",
    "geometry_from_geojson",
    "geometry_to_geojson",
    "late_finding",
    "lead_time_check",
    "notice_from_dict",
    "parse_location",
    "to_lonlat",
    "to_metric",
    "validate_geometry",
    "zone_from_feature",
    "zone_to_feature",
]
