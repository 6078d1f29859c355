"""Corpora for measuring the anonymiser and the leak check on rendered PDFs.

- ``CLEAN``: paragraphs in the style of a published overview report, written for these
  tests: pseudonyms ("Child D", "Mother", "Social Worker 1"), professional roles, towns,
  agencies, the reviewer, chair and officers named by design, meeting dates. Nothing in it
  identifies anyone: every leak-check hit on it is a false alarm.
- ``HARD_FAMILY``: a register whose names are every kind of trouble (an Irish prefix
  written apart, a hyphenated double-barrelled surname, twins, a father and son with the
  same given name and surname, a professional who shares the family's surname, a name that
  is a common word, an odd National Insurance number).
- ``PLANTED``: the same kind of report written with the real identities, each identifying
  form marked ``[[...]]`` so the test can count what was planted and what became of it.
"""

from __future__ import annotations

import re
from datetime import date

from scr.anonymise import Identifier, RegisterEntry

REFERENCE_DATE = date(2020, 1, 10)
PUBLISHED = date(2027, 5, 12)
# Named by design (the caller's allowed_names): the reviewer, the chair, the officers.
ALLOWED_NAMES = ["John Fox Murray", "Dr Amanda Whitfield", "Priya Chandrasekaran",
                 "Eastbury Safeguarding Children Partnership"]
ALLOW = ["Eastbury Safeguarding Children Partnership", "0300 123 4567"]

HARD_FAMILY = [
    RegisterEntry("Child D", "Daisy-Mae Ní Bhriain-Kowalski", kind="child", sex="female",
                  date_of_birth=date(2016, 11, 7), other_names=("Daisy Kowalski",),
                  identifiers=(
                      Identifier("address", "Flat 4\n27 Tanners Row\nEastbury\nEB3 9QT"),
                      Identifier("school", "St Oswald's RC Primary School"),
                      Identifier("nhs_number", "485 777 3456"),
                  )),
    RegisterEntry("Sibling 1", "Ruby Ní Bhriain-Kowalski", kind="sibling", sex="female",
                  date_of_birth=date(2016, 11, 7)),  # Child D's twin
    RegisterEntry("Sibling 2", "Tomasz Kowalski", kind="sibling", sex="male",
                  date_of_birth=date(2008, 2, 14), other_names=("Tommy",)),
    RegisterEntry("Mother", "Siobhán Ní Bhriain", kind="parent", sex="female",
                  date_of_birth=date(1989, 4, 23), other_names=("Shiv",),
                  identifiers=(Identifier("ni_number", "QQ 88 77 66 A"),
                               Identifier("phone", "07700 900123"))),
    RegisterEntry("Father", "Tomasz Kowalski", kind="parent", sex="male",
                  date_of_birth=date(1984, 6, 1)),  # the same name as his son
    RegisterEntry("Grandmother", "Bernadette O'Brien", kind="relative", sex="female",
                  role="maternal grandmother"),
    RegisterEntry("Mr P", "Dean MacLeod", kind="adult", sex="male", role="mother's partner"),
    RegisterEntry("Social Worker 1", "Hannah Kowalski", kind="professional", sex="female",
                  role="social worker"),
    RegisterEntry("GP 1", "Rajesh Iyer", kind="professional", sex="male", role="GP"),
    RegisterEntry("Health Visitor 1", "Joanne Summer", kind="professional", sex="female",
                  role="health visitor"),
]

CLEAN = [
    "<h1>Child Safeguarding Practice Review: Child D</h1>"
    "<p>Eastbury Safeguarding Children Partnership. Published May 2027.</p>",
    "<h2>1. Introduction</h2><p>1.1 This review was commissioned by the Eastbury Safeguarding "
    "Children Partnership following serious harm to Child D, then aged three. The independent "
    "lead reviewer was John Fox Murray. The review panel was chaired by Dr Amanda Whitfield, "
    "Independent Scrutineer, and supported by Priya Chandrasekaran, Business Manager.</p>",
    "<p>1.2 The family lived in Eastbury throughout the period under review and had moved "
    "from Northtown in 2015. Child D lived with Mother, Sibling 1, Sibling 2 and, for part "
    "of the period, Mr P, Mother's partner. Father lived in Westford and had regular contact "
    "until early 2019.</p>",
    "<h2>2. Methodology</h2><p>2.1 The review followed the guidance in Working Together to "
    "Safeguard Children. Practitioners from children's social care, Eastbury Police, the "
    "health visiting service, the GP practice, St Anne's Hospital and the school attended a "
    "learning event in October 2019. The reviewer spoke with Mother and Grandmother; Father "
    "declined to take part.</p>",
    "<p>2.2 The terms of reference covered the period from Child D's birth to the incident. "
    "Agencies provided chronologies and individual management reviews.</p>",
    "<h2>3. Background</h2><p>3.1 Mother was a young parent who had herself been known to "
    "children's services. She described Grandmother as a constant source of support. "
    "Sibling 2 was at secondary school and often looked after the younger children.</p>",
    "<p>3.2 Child D and Sibling 1 are twins. Health Visitor 1 completed the new birth visit "
    "and noted that Mother appeared tired but caring. GP 1 saw the twins for routine "
    "immunisations and recorded no concerns.</p>",
    "<h2>4. Key practice episodes</h2><h3>Episode one: the referral</h3><p>4.1 On 14 March "
    "2018 the school made a referral to the Multi-Agency Safeguarding Hub after Child D "
    "arrived with a bruise to her cheek. Social Worker 1 completed a strategy discussion with "
    "Detective Constable 1 and the school's Designated Safeguarding Lead the same day.</p>",
    "<p>4.2 Mother explained that Child D had fallen in the garden. The explanation was "
    "accepted without a medical examination. The paediatrician was not consulted, which was "
    "contrary to the partnership's bruising protocol.</p>",
    "<h3>Episode two: Mr P joins the household</h3><p>4.3 In the summer of 2018 Mr P moved "
    "into the family home. Agencies were not aware of this until a police call-out on 2 "
    "November 2018, when officers attended a report of shouting. Mr P was not checked "
    "against police records at the time.</p>",
    "<p>4.4 The Police Officer who attended recorded that the children were asleep and did "
    "not see them. A domestic abuse risk assessment was completed and graded standard.</p>",
    "<h3>Episode three: missed appointments</h3><p>4.5 Between January and June 2019 Child D "
    "was not brought to four health appointments. Health Visitor 1 wrote to Mother twice and "
    "left a card after an unanswered visit. The case was not escalated.</p>",
    "<p>4.6 Sibling 2 told a teacher that things at home were difficult and that Mr P "
    "shouted a lot. The teacher recorded this on the school's system, but it was not shared "
    "with children's social care.</p>",
    "<h2>5. Analysis</h2><p>5.1 Professionals worked hard to support Mother, but the focus "
    "on her needs meant that the lived experience of the children was not always seen. "
    "Summer holidays reduced contact with universal services.</p>",
    "<p>5.2 Hope and optimism in practice are important, but they need to be balanced with "
    "professional curiosity about who is living in the home. Will the new guidance help? "
    "The panel believes it will, if it is used.</p>",
    "<p>5.3 The role of men in the household was not explored. Father and Mr P were rarely "
    "spoken to, which reflects findings in national reviews.</p>",
    "<table><thead><tr><th>Family member</th><th>Sex</th><th>Age at incident</th></tr>"
    "</thead><tbody><tr><td>Child D</td><td>F</td><td>3</td></tr>"
    "<tr><td>Sibling 1</td><td>F</td><td>3</td></tr><tr><td>Sibling 2</td><td>M</td>"
    "<td>11</td></tr><tr><td>Mother</td><td>F</td><td>30</td></tr><tr><td>Father</td>"
    "<td>M</td><td>35</td></tr></tbody></table>",
    "<h2>6. Findings</h2><p>6.1 Finding one: information held by the school was not shared. "
    "Finding two: the bruising protocol was not followed. Finding three: new adults in the "
    "household were not identified.</p>",
    "<h2>7. Recommendations</h2><p>7.1 The partnership should seek assurance that the "
    "bruising protocol is understood by all practitioners, including those in primary care. "
    "7.2 Eastbury Police and children's social care should review how information about new "
    "partners is gathered. 7.3 The Integrated Care Board should audit was-not-brought "
    "practice.</p>",
    "<p>See paragraph 3.4.15 of the statutory guidance, and sections 2.1 and 4.3 above.</p>",
    "<h2>8. The partnership's response</h2><p>8.1 The partnership accepts the findings. The "
    "chair, Dr Amanda Whitfield, will report progress to the board in 2028. Anyone worried "
    "about a child can call the Eastbury children's services front door on 0300 123 4567.</p>",
    "<p>Author: John Fox Murray, Independent Lead Reviewer<br>Signed 12 May 2027</p>",
    "<h2>Glossary</h2><p>MASH: Multi-Agency Safeguarding Hub. GP: general practitioner. "
    "ICB: Integrated Care Board. DSL: designated safeguarding lead. EHCP: education, "
    "health and care plan.</p>",
]

# The same report written with the real identities. Each identifying form is marked
# [[...]]: what the anonymiser must remove and the leak check must see if it is left.
PLANTED = [
    "<h1>[[DAISY-MAE]]'S STORY</h1>",
    "<p>[[Daisy-Mae]] was born on [[7.11.16]], a twin to [[Ruby]]. Her mother, "
    "[[Ms Ní Bhriain]], was 27.</p>",
    "<p>[[The Kowalskis]] had moved to [[27 Tanners Row]] in 2015; the flat on "
    "[[Tanners Row]] was damp. [[The Kowalskis']] landlord did not respond.</p>",
    "<p>Her mother [[Siobhán]] (known as [[Shiv]]) took the twins to [[St Oswald's]] "
    "every morning.</p>",
    "<p>[[Mr Kowalski]] had contact at weekends. [[Tomasz Kowalski Jr]] was at "
    "secondary school.</p>",
    "<p>The social worker, [[Ms Kowalski]], visited on 14 March 2018 with [[Dr Iyer]].</p>",
    "<p>A supportive grandmother, [[Mrs O'Brien]], helped most days.</p>",
    "<p>[[Mr MacLeod]]'s name did not appear on any record; [[Dean]] was known to police "
    "in another area.</p>",
    "<p>In the school's notes she appears as [[D.N.B.-K.]] and in the GP's as [[DNBK]]; "
    "the health visitor wrote [[D N B K]].</p>",
    "<p>Her National Insurance number, [[QQ 88 77 66 A]], was found on a letter; her "
    "phone was [[07700 900123]]. NHS number [[485 777 3456]].</p>",
    "<p>Her date of birth was also written [[07-11-2016]] and [[2016-11-07]] and [[7th of "
    "November 2016]].</p>",
    "<p>A neighbour, [[Kayden Hughes]], called the police. [[PC Thornbury]] attended with "
    "[[Nurse Adeyemi]].</p>",
    "<p>The initials [[S.R.B.]] appeared on a referral form.</p>",
    "<p>Health visitor [[Joanne Summer]] visited; [[Ms Summer]] wrote to the GP.</p>",
]


def document(body: str) -> str:
    """A report's HTML as the renderer gets it: a title and a language (PDF/UA)."""
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Child '
            f"Safeguarding Practice Review: Child D</title></head><body>{body}</body></html>")


def planted_forms() -> list[str]:
    return [m.group(1) for p in PLANTED for m in re.finditer(r"\[\[(.+?)\]\]", p)]


def planted_text() -> str:
    return "".join(re.sub(r"\[\[(.+?)\]\]", r"\1", p) for p in PLANTED)
