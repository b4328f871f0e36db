#!/usr/bin/env python3
"""Writes a synthetic PS_LibreAcces_Personne_activite extraction for benchmarks.

    python3 bench/gen_annuaire.py LINES [SEED] > annuaire.txt

Same header as the national file (53 fields, '|' separated, UTF-8), one line per
professional x place of practice: about 1 professional in 4 practises in two or
three places, and organisations are shared (one structure for ~5 lines), as in the
real file. Every line is valid, so the figures measure writes, not rejections.
Deterministic for a given seed. Standard library only.
"""
import random
import sys

HEADER = ("Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
          "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|"
          "Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|"
          "Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|"
          "Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|"
          "Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|"
          "Enseigne commerciale site|Complément destinataire (coord. structure)|"
          "Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|"
          "Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|"
          "Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|"
          "Mention distribution (coord. structure)|Bureau cedex (coord. structure)|"
          "Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|"
          "Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|"
          "Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|"
          "Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|"
          "Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|"
          "Code section tableau pharmaciens|Libellé section tableau pharmaciens|")
COLS = HEADER.split('|')
INDEX = {name: i for i, name in enumerate(COLS)}

FAMILY = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
          "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
          "FOURNIER", "GIRARD", "LE GALL", "LE BIHAN", "KERGOAT", "TANGUY", "D'ARTAGNAN", "GUÉGUEN",
          "LE ROUX", "MADEC", "PRIGENT", "LE GOFF", "DUPONT-LEFÈVRE", "NGUYEN", "HÉLIAS", "CORRE"]
GIVEN = ["Claire", "Jean", "Marie", "Pierre", "Anne", "Yann", "Élodie", "Zoé", "Maël", "Nolwenn",
         "Gwenaëlle", "François", "Hélène", "Loïc", "Anne-Sophie", "Jean-Pierre", "Solène", "Erwan"]
PROFESSIONS = [("10", "Médecin", 0.35), ("60", "Infirmier", 0.30), ("70", "Masseur-Kinésithérapeute", 0.15),
               ("21", "Pharmacien", 0.12), ("50", "Sage-Femme", 0.04), ("40", "Chirurgien-Dentiste", 0.04)]
TOWNS = [("35000", "Rennes"), ("35400", "Saint-Malo"), ("29200", "Brest"), ("29000", "Quimper"),
         ("56000", "Vannes"), ("56100", "Lorient"), ("22000", "Saint-Brieuc"), ("35300", "Fougères"),
         ("29600", "Morlaix"), ("22300", "Lannion"), ("35500", "Vitré"), ("56300", "Pontivy")]
STREETS = ["de la Paix", "Jean Jaurès", "des Lices", "Victor Hugo", "de Brest", "du Port", "Saint-Michel"]
SECTORS = ["Cabinet individuel", "Cabinet de groupe", "Etablissement public de santé", "Pharmacie d'officine"]


def luhn_key(base):
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def organisation(rng, n):
    postcode, town = rng.choice(TOWNS)
    base = str(400000000 + n * 7).zfill(9) + "0001"
    siret = base + luhn_key(base)
    return {
        "Identifiant technique de la structure": "R%014d" % n,
        "Raison sociale site": "CABINET %s %d" % (rng.choice(STREETS).upper(), n),
        "Numéro SIRET site": siret,
        "Numéro SIREN site": siret[:9],
        "Numéro Voie (coord. structure)": str(rng.randint(1, 120)),
        "Libellé type de voie (coord. structure)": "Rue",
        "Libellé Voie (coord. structure)": rng.choice(STREETS),
        "Code postal (coord. structure)": postcode,
        "Libellé commune (coord. structure)": town,
        "Code pays (coord. structure)": "99000",
        "Libellé pays (coord. structure)": "France",
        "Téléphone (coord. structure)": "02%08d" % rng.randint(0, 99999999),
        "Libellé secteur d'activité": rng.choice(SECTORS),
    }


def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    n_orgs = max(1, lines // 5)
    out = sys.stdout
    out.write(HEADER + "\n")
    written = person = 0
    weights = [p[2] for p in PROFESSIONS]
    while written < lines:
        person += 1
        code, label, _ = rng.choices(PROFESSIONS, weights)[0]
        base = "1" + str(person).zfill(9)
        rpps = base + luhn_key(base)
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        places = 1 if rng.random() < 0.75 else rng.randint(2, 3)
        for o in rng.sample(range(n_orgs), min(places, lines - written, n_orgs)):
            v = [""] * len(COLS)
            v[INDEX["Type d'identifiant PP"]] = "8"
            v[INDEX["Identifiant PP"]] = rpps
            v[INDEX["Identification nationale PP"]] = "8" + rpps
            if code == "10":
                v[INDEX["Code civilité d'exercice"]] = "DR"
                v[INDEX["Libellé civilité d'exercice"]] = "Docteur"
            v[INDEX["Nom d'exercice"]] = family
            v[INDEX["Prénom d'exercice"]] = given
            v[INDEX["Code profession"]] = code
            v[INDEX["Libellé profession"]] = label
            v[INDEX["Code mode exercice"]] = "L"
            v[INDEX["Libellé mode exercice"]] = "Libéral"
            # an organisation's data depend on its number only
            for name, value in organisation(random.Random(o), o).items():
                v[INDEX[name]] = value
            out.write("|".join(v) + "\n")
            written += 1

if __name__ == "__main__":
    main()
