"""A second family for the context and leak-check tests, other names than the issue's:
twins, a father and son with one name, a professional who shares the family's surname,
a Welsh double-barrelled surname, Dutch and Irish prefixes, a registered NI number HMRC
would never issue."""

from __future__ import annotations

from datetime import date

from scr.anonymise import Identifier, RegisterEntry, check_identifier

ON = date(2020, 2, 1)

CHILD = RegisterEntry("Child R", "Rhiannon Mair Ellis-Doyle", kind="child", sex="female",
                      date_of_birth=date(2014, 5, 9), identifiers=(
                          Identifier("school", "St Teilo's Church in Wales Primary School"),
                          Identifier("address", "9 Quarry Lane\nAbergele\nLL22 7AB"),
                          Identifier("ni_number",
                                     check_identifier("ni_number", "QQ 12 34 56 C").value)))
TWIN = RegisterEntry("Sibling 1", "Cerys Ellis-Doyle", kind="sibling", sex="female",
                     date_of_birth=date(2014, 5, 9))
MOTHER = RegisterEntry("Mother", "Carys Doyle", kind="parent", sex="female",
                       other_names=("Carys Ellis",))
FATHER = RegisterEntry("Father", "Gareth Ellis", kind="parent", sex="male",
                       date_of_birth=date(1980, 3, 1))
SON = RegisterEntry("Sibling 2", "Gareth Ellis", kind="sibling", sex="male",
                    date_of_birth=date(2009, 1, 1))
GRANDMOTHER = RegisterEntry("Grandmother", "Mair Ellis", kind="relative", sex="female",
                            role="paternal grandmother")
WORKER = RegisterEntry("Social Worker 1", "Fiona Doyle", kind="professional", sex="female",
                       role="social worker")
PARTNER = RegisterEntry("Mr Q", "Lee van der Berg", kind="adult", sex="male")
UNCLE = RegisterEntry("Uncle", "Ciarán Ó Dónaill", kind="relative", sex="male")
FAMILY = [CHILD, TWIN, MOTHER, FATHER, SON, GRANDMOTHER, WORKER, PARTNER, UNCLE]
