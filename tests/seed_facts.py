"""Every fact of ../shared/seeds/, as short phrases an output must contain.

Phrases are compared after normalize(): case, quotes, dashes and white space do not matter,
so a fact split across lines or pages in a PDF still counts.
"""

from __future__ import annotations

import re
import unicodedata

# Facts of both seeds. The slide handout mirrors the presentation only (PRESENTATION_FACTS).
PRESENTATION_FACTS = [
    # What is ICAT?
    "September 2006", "UNODC convened a coordination meeting", "Tokyo", "Government of Japan",
    "international organizations responding to trafficking in persons",
    "decided to continue the work",
    "improve coordination and cooperation between UN agencies and other international organizations",
    "holistic approach to preventing and combating trafficking in persons",
    # Establishment
    "A/RES/61/180", "Improving the coordination of efforts against trafficking in persons",
    "formally established",
    # Members (full names and acronyms)
    "United Nations Office on Drugs and Crime", "UNODC",
    "Department of Peacekeeping Operations", "DPKO",
    "International Organization for Migration", "IOM",
    "International Labour Organization", "ILO",
    "International Criminal Police Organization", "ICPO-Interpol",
    "International Civil Aviation Organization", "ICAO",
    "Office of the UN High Commissioner for Human Rights", "OHCHR",
    "Joint United Nations Programme on HIV/AIDS", "UNAIDS",
    "United Nations Development Programme", "UNDP",
    "United Nations Division for the Advancement of Women", "UNDAW",
    "United Nations Population Fund", "UNFPA",
    "United Nations Children's Fund", "UNICEF",
    "United Nations Development Fund for Women", "UNIFEM",
    "United Nations Interregional Crime and Justice Research Institute", "UNICRI",
    "United Nations Educational, Scientific and Cultural Organization", "UNESCO",
    "United Nations High Commissioner for Refugees", "UNHCR",
    "The World Bank",
    # Functions
    "Provide a platform for exchange of information, experiences and good practices",
    "to share with Governments, international and regional organizations, NGOs and other relevant bodies",
    "Encourage, support and review the activities of the UN and other international organizations",
    "full and comprehensive implementation of all international instruments and standards",
    "Drawing on the comparative advantage of the respective agencies",
    "mechanisms already in place at the regional and national level",
    # The publication
    "An analytical review: 10 years on from the adoption of the UN Trafficking in Persons Protocol",
    # Goals
    "Prevention", "Protection", "Prosecution", "Partnership",
    # Prevention
    "Need for a holistic approach",
    "Need for researching and alleviating vulnerabilities and root causes of trafficking",
    "Reducing the demand", "Lack of resources to reach potential victims",
    "Policy choices to reduce vulnerabilities in origin countries",
    "Increase the focus on demand in destination countries",
    "Opportunities for potential victims (minimum empowerment package)",
    "Increase sufficient legal migration opportunities",
    # Protection
    "Gaps in provisions to effectively address specific types of trafficking (men, women, children)",
    "Victims' participation is hindered by inadequate victims/witnesses protection",
    "Inadequate training of state and civil society actors in counselling, rehabilitation, legal protection and administrative support",
    "Provide adequate measures to identify, protect and assist victims/witnesses",
    "Adequately tailored training to fit different needs of men, women and children coming from diverse cultural backgrounds",
    "National action plans specifically incorporating child trafficking",
    "Protection measures should not be linked with obligatory cooperation with law enforcement",
    # Prosecution
    "Large impunity", "Lack of resources in specific anti-human trafficking legal enforcement units",
    "Inconsistency with national legislation and actual implementation of the laws",
    "Member States' national legal framework and practices are in line with international legal obligations",
    "Allocate adequate resources for strengthening the capacity of the criminal justice system",
    "Avoid grounds for re-trafficking (ex: repatriation of victims of human trafficking)",
    "Criminal proceedings should ensure adequate protection measures for victims and witnesses",
    # Partnerships
    "Lack of lead coordinating anti-trafficking national institutions",
    "National and international coordination a challenge due to different mandates of involved institutions",
    "Inadequate mechanisms for data collection and analysis at national and international levels",
    "Improve national coordination structures to exchange information",
    "Increase mechanisms for collection, analysis and dissemination of data",
    "Increase mutual legal assistance at the global level, including extradition and confiscating trafficked proceeds",
    "Foster strong relationships between law enforcement and civil society to support the fight against human trafficking",
    # Global Plan of Action
    "Global Plan of Action", "A/64/L.64",
    "Strongly urge all responsible UN entities to coordinate their efforts",
    "protect the human rights of its victims", "UN.GIFT", "Global Initiative to Fight Human Trafficking",
    "Strengthen and support ICAT to improve coordination and cooperation amongst relevant UN bodies",
    "UN human rights treaty bodies and mechanisms",
    "Urge the Secretary-General to expedite the strengthening of ICAT under the coordination of UNODC",
    "overall organization and coherence in the United Nations system's efforts to respond to trafficking in persons",
    # Contact
    "Anti-Human Trafficking and Migrant Smuggling Unit", "P.O. Box 500", "1400 Vienna", "Austria",
    "(+43-1) 26060-5687", "(+43-1) 26060-5983", "ahtmsu@unodc.org",
]

ANNOUNCEMENT_FACTS = [
    "13 December 2010", "6th", "Inter-Agency Coordination Group against Trafficking in Persons",
    "first joint publication", "recommendations for coordinated future action to combat trafficking in persons",
    "established by the United Nations General Assembly",
    "overview of the mandates and activities of all ICAT member organizations",
    "gap analysis within the various fields of work related to trafficking in persons",
    "over the last 10 years",
    "Prevention, Protection, Prosecution and Partnerships",
    "including protection of and support for victims of trafficking",
    "UNODC is the agency entrusted with the coordination of ICAT",
    "Drawing on the vast experience of its member organizations",
    "increasing the efficiency and quality of global and regional anti-human trafficking programmes",
    "a panel of ICAT representatives presented and discussed key points",
    "background paper",
    "Full report", "Presentation highlights",
]

REPORT_FACTS = PRESENTATION_FACTS + ANNOUNCEMENT_FACTS

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
           "\u2011": "-", "\u00ad": ""}


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for old, new in _QUOTES.items():
        text = text.replace(old, new)
    text = re.sub(r"(\w)([-/])\s+(\w)", r"\1\2\3", text)  # "anti-" or "HIV/" broken at a line end
    return re.sub(r"\s+", " ", text).strip().casefold()


def missing(text: str, facts: list[str] = REPORT_FACTS) -> list[str]:
    """The facts not found in text."""
    haystack = normalize(text)
    return [fact for fact in facts if normalize(fact) not in haystack]
