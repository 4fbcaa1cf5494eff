"""Text as FAQ retrieval compares it: lower case, accents folded, regional words made one,
function words dropped.

Function words ("how do I", "¿cómo puedo", "hoe kan ik") are most of a short question, so
without this, unrelated questions that share them look alike; TF-IDF alone down-weights them
only within the few phrasings it is fitted on. scikit-learn ships an English list only, so the
Spanish, Portuguese and Dutch lists are here (accents folded, like the text they filter).
Tuned with tests/faq/heldout.yml (see bench/faq_eval.py); the lists hold function words only,
never topic words, so they carry over to content the city adds later.

Citizens name the same municipal thing differently by region ("trash", "garbage", "rubbish";
"acera", "vereda", "banqueta"; "coleta", "recolha"; "kliko", "container"), and TF-IDF only
knows the words of the phrasings it is fitted on. Each language's synonym map rewrites such
words to one form, on the phrasings, the answers and the question alike, so a comms team
that writes "pavement" is still found by "sidewalk". The maps hold only common regional or
colloquial variants of everyday council vocabulary, not words tied to one FAQ entry, and
were written from general knowledge of the languages, not from any test question.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, List, Tuple

_WORD = re.compile(r"\w+")

_EXTRA_ENGLISH = ("can i my me you your do does did how what when where which who why is are "
                  "was be get got need want would like will the a an to of in on for at by with "
                  "from it its there this that please u ur today tonight")
# scikit-learn's English list holds some words that carry a council question's meaning
# ("empty my bin", "council tax bill", "fill a pothole"); they are kept.
_ENGLISH_CONTENT_WORDS = "empty bill fill fire move front side full mill"
_FUNCTION_WORDS = {
    "es": "el la los las un una unos unas de del al a en y o que qué con por para es son está "
          "están me mi mis tu tus su sus se lo le les nos como cómo cuándo cuando donde dónde "
          "cuál cual cuales quién quien hay puedo puede pueden tengo tiene tienen quiero hacer "
          "hace este esta esto estos estas ese esa eso mas más muy ya no si sí yo te ti él ella "
          "ellos vosotros usted ustedes pero sin sobre entre hasta desde también necesito "
          "necesita hoy ahora q k xq pq",
    "pt": "o a os as um uma uns umas de do da dos das ao aos à às em no na nos nas e ou que com "
          "por para pelo pela é são está estão me meu minha meus minhas seu sua seus suas se lo "
          "lhe como quando onde qual quais quem há posso pode podem tenho tem têm quero fazer "
          "faz este esta isto esse essa isso mais muito já não sim eu te você vocês ele ela "
          "eles mas sem sobre entre até desde também vou vai preciso precisa pra pro vc vcs q "
          "pq tb hoje agora",
    "nl": "de het een en of van in op aan te met voor door bij naar om is zijn was ben bent "
          "wordt worden word ik mijn me mij je jij jouw u uw wij we ons onze hij zij ze hun dat "
          "dit die deze wat wie waar wanneer hoe welke welk kan kun kunt kunnen mag mogen moet "
          "moeten wil wilt willen heb hebt heeft hebben er niet geen ook al nog maar als dan zo "
          "maken maak doen doe nodig vandaag nu mn m'n wnr ff",
}

# Regional and colloquial variants -> the form council content tends to use. Keys and values
# are accent-folded; a key of two words is matched before single words ("bin men" -> "bin").
_SYNONYMS: Dict[str, Dict[str, str]] = {
    "en": {
        "trash": "rubbish", "garbage": "rubbish",
        "binmen": "bin", "binman": "bin", "bin men": "bin", "bin man": "bin",
        "trash can": "bin", "garbage can": "bin", "wheelie bin": "bin", "dumpster": "skip",
        "sidewalk": "pavement", "sidewalks": "pavement", "curb": "kerb", "curbs": "kerb",
        "tire": "tyre", "tires": "tyres", "couch": "sofa", "refrigerator": "fridge",
        "yard": "garden", "neighbor": "neighbour", "neighbors": "neighbours",
        "license": "licence", "licenses": "licences", "streetlight": "street light",
        "streetlights": "street lights", "streetlamp": "street light", "lamppost": "lamp post",
        "city hall": "town hall", "councilor": "councillor", "councilman": "councillor",
        "councilwoman": "councillor", "alderman": "councillor",
        "council member": "councillor", "property tax": "council tax",
        "pickup": "collection", "poop": "poo", "mom": "mum", "salt": "grit",
        "salting": "gritting", "salted": "gritted", "dump": "tip",
    },
    "es": {
        "tacho": "contenedor", "caneca": "contenedor", "zafacon": "contenedor",
        "cubo": "contenedor", "volquete": "contenedor", "desperdicios": "basura",
        "carro": "coche", "auto": "coche", "automovil": "coche",
        "estacionar": "aparcar", "estacionamiento": "aparcamiento", "parquear": "aparcar",
        "vereda": "acera", "banqueta": "acera", "luminaria": "farola", "hoyo": "bache",
        "municipalidad": "ayuntamiento", "alcaldia": "ayuntamiento",
        "intendencia": "ayuntamiento", "regidor": "concejal", "edil": "concejal",
        "heladera": "nevera", "refrigerador": "nevera", "frigorifico": "nevera",
        "neumatico": "rueda", "llanta": "rueda", "pasto": "cesped", "grama": "cesped",
        "pintadas": "grafitis", "pintada": "grafiti", "graffiti": "grafiti",
        "popo": "caca", "excrementos": "caca", "recoleccion": "recogida", "huerta": "huerto",
        "ecoparque": "punto limpio", "ibi": "impuesto municipal", "predial": "impuesto municipal",
    },
    "pt": {
        "cacamba": "contentor", "caixote": "contentor", "coleta": "recolha",
        "coletar": "recolher", "calcada": "passeio", "geladeira": "frigorifico",
        "prefeitura": "camara", "cachorro": "cao", "cachorros": "caes",
        "pichacao": "grafiti", "pichar": "grafiti", "grafite": "grafiti", "graffiti": "grafiti",
        "candeeiro": "poste", "onibus": "autocarro", "coima": "multa", "grama": "relva",
        "caminhao": "camiao", "iptu": "imposto municipal", "imi": "imposto municipal",
    },
    "nl": {
        "kliko": "container", "minicontainer": "container", "vuilbak": "container",
        "vuilnisbak": "container", "vuilnis": "afval", "huisvuil": "afval",
        "trottoir": "stoep", "voetpad": "stoep", "haag": "heg", "fuif": "feest",
        "herrie": "lawaai", "kabaal": "lawaai", "kuil": "gat",
        "straatlantaarn": "lantaarnpaal", "lichtpunt": "lantaarnpaal",
        "parkeerbon": "parkeerboete", "parkeerretributie": "parkeerboete",
        "gemeentehuis": "stadhuis", "openingsuren": "openingstijden",
        "bewonerskaart": "bewonersvergunning", "inrit": "uitrit",
        "containerpark": "milieustraat", "recyclagepark": "milieustraat",
        "milieupark": "milieustraat", "bieb": "bibliotheek", "bib": "bibliotheek",
        "sluikstort": "illegaal storten", "sluikstorten": "illegaal storten",
        "ozb": "gemeentebelasting",
    },
}


def fold(text: str) -> str:
    """Lower case without accents: "Cómo" and "como" are one word to a citizen typing fast."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=None)
def function_words(language: str) -> FrozenSet[str]:
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        kept = frozenset(_ENGLISH_CONTENT_WORDS.split())
        return (frozenset(ENGLISH_STOP_WORDS) - kept) | frozenset(fold(_EXTRA_ENGLISH).split())
    return frozenset(fold(_FUNCTION_WORDS.get(language, "")).split())


@lru_cache(maxsize=None)
def _synonyms(language: str) -> Tuple[Dict[Tuple[str, str], List[str]], Dict[str, List[str]]]:
    """The language's map split into two-word and one-word keys, values as word lists."""
    pairs: Dict[Tuple[str, str], List[str]] = {}
    singles: Dict[str, List[str]] = {}
    for variant, canonical in _SYNONYMS.get(language, {}).items():
        key, value = fold(variant).split(), fold(canonical).split()
        if len(key) == 2:
            pairs[(key[0], key[1])] = value
        else:
            singles[key[0]] = value
    return pairs, singles


def canonical_words(words: List[str], language: str) -> List[str]:
    """`words` (folded) with regional variants replaced by the language's common form."""
    pairs, singles = _synonyms(language)
    result: List[str] = []
    position = 0
    while position < len(words):
        pair = tuple(words[position:position + 2])
        if len(pair) == 2 and pair in pairs:
            result.extend(pairs[pair])  # type: ignore[index]
            position += 2
            continue
        result.extend(singles.get(words[position], [words[position]]))
        position += 1
    return result


def content_text(text: str, language: str) -> str:
    """`text` folded, variants made one, function words removed (kept whole when nothing else
    is left)."""
    words = canonical_words(_WORD.findall(fold(text)), language)
    stop = function_words(language)
    kept = [word for word in words if word not in stop]
    return " ".join(kept) if kept else " ".join(words)
