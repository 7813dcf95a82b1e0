"""The bundled data (High School and Beyond, the seed's reference output) and HLM 7's data preparation.

:mod:`.datasets` reads the files in this folder (their provenance is in
``README.md``) and offers HLM 7's MDM merge and centring for any pair of files.
"""

from .datasets import Centering, center, group_means, hsb_schools, hsb_students, load_hsb, merge_levels, seed_outputs

__all__ = ["Centering", "center", "group_means", "hsb_schools", "hsb_students", "load_hsb", "merge_levels", "seed_outputs"]
