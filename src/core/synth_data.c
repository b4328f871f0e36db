/* synth_data: what French identities are made of, for the generator
 * (core/synth.c): weighted lists of family and given names (given names by
 * fashion year), communes and countries of birth, streets, the age pyramid;
 * the cumulative tables built from them once, and the picks from them. */
#include "core/synth_internal.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* Index i with probability cum[i] - cum[i-1] (cum increasing, cum[n-1] total). */
static int pick_cumulative(rng *r, const double *cum, int n)
{
    double u = rng_unit(r) * cum[n - 1];
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* clang-format off */
/* ==== embedded data ====================================================== */

/* Common French family names, most frequent first (after the INSEE birth
 * registers' ranking, approximately). The weight of rank r is r^-0.45: Martin
 * about 0.4% of everyone, the 300th name about 0.03%, as in France. */
static const char *const FAMILY_NAMES[] = {
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard",
    "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez",
    "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
    "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
    "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez",
    "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury",
    "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré",
    "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé",
    "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost",
    "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois",
    "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal",
    "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard",
    "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin",
    "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud", "Antoine",
    "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay",
    "Pasquier", "Carlier", "Laporte", "Gonzalez", "Nguyen", "Dos Santos", "Pereira", "Ferreira",
    "Bousquet", "Tanguy", "Guillou", "Le Bihan", "Le Guen", "Riou", "Morvan", "Le Floch", "Hébert",
    "Thébault", "Chrétien", "Pépin", "Géraud", "Vallée", "Lesage", "Bouvet", "Bodin", "Marion",
    "Guillet", "Cartier", "Blondel", "Jourdan", "Labbé", "Lebreton", "Leduc", "Sauvage", "Delmas",
    "Hoareau", "Teixeira", "Raynaud", "Fischer", "Ollivier", "Benard", "Navarro", "Blin", "Lebon",
    "Paul", "Baudry", "Martins", "Coulon", "Gomez", "Launay", "Maillot", "Bigot", "Texier",
    "Rousset", "Devaux", "Jacques", "Bonnin", "Barbe", "Guillon", "Bazin", "Régnier", "Leconte",
    "Descamps", "Le Corre", "Le Meur", "Kerbrat", "Guégan", "Jégou", "Le Bras", "Salaün", "Quéré",
    "Carlier", "Dias", "Rocher", "Gros", "Traoré", "Diallo", "Haddad", "Benali", "Mansour",
    "Ferrand", "Vial", "Lemaitre", "Rouxel", "Pruvost", "Delattre", "Lefort", "Maury", "Poulet",
    "Turpin", "Bonneau", "Guillard", "Sabatier", "Hamel", "Lelièvre", "Fèvre", "Lefeuvre",
    "d'Artagnan", "d'Almeida", "de la Fontaine", "de Saint-Exupéry", "du Pont", "d'Ornano",
    "Le Hénaff", "Desbois", "Courtois", "Joubert", "Chauvet", "Guillemin", "Valentin", "Lenoir",
    "Gallet", "Besnard", "Millot", "Barre", "Roques", "Delorme", "Brunel", "Poirot", "Bouquet",
    "Hardy", "Gaudin", "Moulinier", "Jamet", "Tardy", "Charrier", "Grégoire", "Josse", "Husson",
};

/* Share of people whose family name comes from the list above; the others get
 * a generated one from a space of about 60,000 French-looking names. */
#define LIST_NAME_SHARE 0.16
#define COMPOUND_NAME_SHARE 0.04

/* Generated names: root + optional middle + ending (Chavillard, Bourgenet...).
 * Roots end with a consonant, middles and endings start with a vowel. */
static const char *const NAME_ROOTS[] = {
    "Bour", "Char", "Chav", "Gir", "Mor", "Pel", "Riv", "Vill", "Bon", "Mal", "Font", "Mont",
    "Brun", "Cour", "Lam", "Sauv", "Tess", "Jourd", "Gaud", "Fav", "Pasc", "Rég", "Vel", "Bar",
    "Bel", "Ber", "Blanch", "Bouch", "Briss", "Cal", "Cam", "Carr", "Cass", "Chab", "Chen", "Clav",
    "Coll", "Corn", "Coud", "Dal", "Dam", "Delm", "Desp", "Dor", "Duc", "Fer", "Fouc", "Gall",
    "Garn", "Gaul", "Gill", "Grav", "Gren", "Guill", "Jacqu", "Jan", "Lab", "Lach", "Lang", "Lar",
    "Laud", "Lav", "Lec", "Leg", "Marc", "Mass", "Mat", "Maug", "Merc", "Mich", "Mill", "Mouss",
    "Nav", "Pag", "Parm", "Pat", "Peyr", "Pic", "Pin", "Pomm", "Pout", "Rab", "Ram", "Ren", "Rib",
    "Rob", "Roch", "Rouss", "Sal", "Sarr", "Sav", "Serr", "Tard", "Thomm", "Tourn", "Trav", "Val",
    "Varn", "Verd", "Vign", "Vinc", "Bess", "Bod", "Buss", "Chal", "Chap", "Crois", "Dub", "Esc",
    "Fal", "Frém", "Gob", "Gross", "Henn", "Jol", "Lap", "Mab", "Nod", "Oll", "Quen", "Rag", "Sol",
    "Taill", "Vach", "Vern", "Aub", "Arn", "Bég", "Cott", "Daub", "Ev", "Gét", "Hoc", "Ib", "Lour",
    "Mén", "Noir", "Orl", "Prud", "Rég", "Ség", "Thib", "Urb",
};
static const char *const NAME_MIDDLES[] = {
    "", "", "", "", "", "ev", "ill", "ell", "er", "ign", "ol", "ar", "enn", "ur", "an", "ers",
};
static const char *const NAME_ENDINGS[] = {
    "and", "ard", "aud", "ault", "eau", "el", "elle", "et", "ette", "ier", "ière", "in", "ine",
    "ot", "otte", "on", "ou", "oux", "ais", "é", "ès", "ac", "at", "y", "ol", "aux", "ieux", "enne",
    "ec", "ay", "eaux", "ant", "ois", "ange", "eix", "ez", "ieu", "oul",
};

/* Given names: sex, the birth year they peaked, their weight at the peak. */
typedef struct given_entry {
    const char *name;
    short peak;
    short weight;
} given_entry;

static const given_entry GIVEN_F[] = {
    {"Marie", 1925, 100}, {"Jeanne", 1925, 60}, {"Germaine", 1925, 30}, {"Marguerite", 1925, 30},
    {"Suzanne", 1928, 35}, {"Madeleine", 1928, 35}, {"Simone", 1930, 35}, {"Yvonne", 1928, 30},
    {"Denise", 1932, 35}, {"Louise", 1925, 25}, {"Paulette", 1935, 25}, {"Odette", 1932, 20},
    {"Lucienne", 1930, 20}, {"Renée", 1930, 20}, {"Andrée", 1932, 20}, {"Raymonde", 1932, 15},
    {"Marcelle", 1928, 20}, {"Hélène", 1945, 20}, {"Thérèse", 1935, 20}, {"Jacqueline", 1940, 45},
    {"Monique", 1948, 50}, {"Colette", 1942, 25}, {"Josette", 1942, 20}, {"Ginette", 1940, 20},
    {"Huguette", 1940, 15}, {"Gisèle", 1940, 18}, {"Micheline", 1940, 18}, {"Christiane", 1948, 30},
    {"Nicole", 1950, 40}, {"Françoise", 1950, 45}, {"Danielle", 1952, 25}, {"Michèle", 1952, 35},
    {"Annie", 1955, 25}, {"Bernadette", 1950, 20}, {"Claudine", 1952, 20}, {"Évelyne", 1955, 20},
    {"Chantal", 1958, 35}, {"Martine", 1958, 45}, {"Christine", 1960, 40}, {"Sylvie", 1963, 45},
    {"Catherine", 1960, 45}, {"Brigitte", 1958, 30}, {"Dominique", 1958, 20},
    {"Patricia", 1962, 30}, {"Isabelle", 1967, 45}, {"Nathalie", 1968, 50}, {"Véronique", 1965, 30},
    {"Valérie", 1968, 35}, {"Corinne", 1965, 25}, {"Laurence", 1966, 25}, {"Pascale", 1963, 20},
    {"Florence", 1968, 20}, {"Agnès", 1962, 15}, {"Béatrice", 1962, 15}, {"Muriel", 1968, 15},
    {"Anne", 1965, 25}, {"Sandrine", 1972, 45}, {"Karine", 1973, 30}, {"Stéphanie", 1977, 40},
    {"Céline", 1978, 40}, {"Virginie", 1976, 30}, {"Delphine", 1974, 25}, {"Séverine", 1976, 25},
    {"Aurélie", 1982, 40}, {"Émilie", 1985, 35}, {"Julie", 1985, 40}, {"Élodie", 1985, 30},
    {"Caroline", 1980, 25}, {"Mélanie", 1983, 30}, {"Audrey", 1984, 30}, {"Laetitia", 1980, 25},
    {"Sophie", 1975, 30}, {"Cécile", 1975, 20}, {"Marion", 1990, 30}, {"Pauline", 1990, 30},
    {"Laura", 1992, 35}, {"Camille", 1998, 35}, {"Manon", 1997, 40}, {"Sarah", 1995, 30},
    {"Marine", 1993, 25}, {"Charlotte", 1995, 25}, {"Mathilde", 1995, 25}, {"Océane", 1997, 25},
    {"Anaïs", 1995, 25}, {"Justine", 1994, 20}, {"Clara", 2003, 25}, {"Léa", 2003, 45},
    {"Chloé", 2003, 35}, {"Inès", 2008, 25}, {"Lucie", 2003, 20}, {"Zoé", 2008, 20},
    {"Emma", 2010, 45}, {"Jade", 2015, 35}, {"Louise", 2018, 40}, {"Alice", 2018, 30},
    {"Lina", 2018, 25}, {"Rose", 2020, 25}, {"Anna", 2015, 20}, {"Ambre", 2020, 25},
    {"Mia", 2021, 20}, {"Julia", 2018, 15}, {"Mila", 2021, 15}, {"Romane", 2010, 15},
    {"Maëlys", 2008, 15}, {"Juliette", 2015, 20}, {"Éloïse", 2012, 10}, {"Margaux", 2000, 15},
    {"Clémence", 2000, 15}, {"Noémie", 1998, 15}, {"Agathe", 2015, 12}, {"Capucine", 2015, 8},
    {"Nolwenn", 1995, 10}, {"Gwenaëlle", 1980, 6}, {"Solène", 1995, 10}, {"Maëlle", 2008, 12},
    {"Anne-Marie", 1950, 15}, {"Marie-Claude", 1950, 12}, {"Marie-Thérèse", 1940, 12},
    {"Marie-France", 1955, 10}, {"Marie-Christine", 1955, 12}, {"Anne-Sophie", 1980, 10},
    {"Marie-Hélène", 1955, 10}, {"Marie-Claire", 1955, 8}, {"Marie-José", 1950, 8},
    {"Marie-Noëlle", 1958, 6}, {"Marie-Laure", 1970, 8}, {"Anne-Laure", 1980, 8},
    {"Geneviève", 1945, 20}, {"Henriette", 1925, 15}, {"Berthe", 1922, 12}, {"Yvette", 1935, 25},
    {"Éliane", 1938, 12}, {"Arlette", 1938, 10}, {"Fabienne", 1968, 20}, {"Emmanuelle", 1970, 15},
    {"Angélique", 1975, 15}, {"Jessica", 1988, 15}, {"Amandine", 1988, 20}, {"Mégane", 1995, 12},
    {"Nadia", 1975, 8}, {"Fatima", 1975, 8}, {"Yasmine", 2000, 8}, {"Éléonore", 2010, 6},
    {"Héloïse", 2008, 8}, {"Zélie", 2018, 6}, {"Joséphine", 1925, 10}, {"Léonie", 2018, 12},
};

static const given_entry GIVEN_M[] = {
    {"Jean", 1930, 100}, {"Pierre", 1935, 60}, {"André", 1928, 45}, {"René", 1928, 40},
    {"Louis", 1925, 35}, {"Marcel", 1928, 35}, {"Roger", 1930, 35}, {"Georges", 1928, 30},
    {"Henri", 1928, 30}, {"Maurice", 1928, 30}, {"Raymond", 1930, 30}, {"Robert", 1932, 35},
    {"Lucien", 1928, 20}, {"Fernand", 1925, 15}, {"Albert", 1925, 18}, {"Paul", 1930, 25},
    {"Joseph", 1925, 25}, {"Émile", 1922, 15}, {"Léon", 1922, 15}, {"Gaston", 1922, 12},
    {"Jacques", 1945, 50}, {"Michel", 1948, 60}, {"Claude", 1945, 40}, {"Bernard", 1947, 45},
    {"Guy", 1945, 25}, {"Gérard", 1950, 40}, {"Daniel", 1950, 40}, {"Jean-Pierre", 1950, 35},
    {"Jean-Claude", 1948, 30}, {"Alain", 1953, 45}, {"Christian", 1955, 35},
    {"Jean-Louis", 1952, 20}, {"Jean-Marie", 1952, 20}, {"Jean-Paul", 1952, 18},
    {"Jean-Jacques", 1950, 15}, {"Jean-François", 1960, 18}, {"Jean-Michel", 1958, 20},
    {"Jean-Luc", 1960, 18}, {"Patrick", 1958, 40}, {"Philippe", 1962, 45}, {"Dominique", 1958, 20},
    {"Didier", 1962, 30}, {"Éric", 1967, 40}, {"Pascal", 1963, 35}, {"Thierry", 1964, 35},
    {"Francis", 1955, 15}, {"Serge", 1955, 20}, {"Yves", 1950, 20}, {"Gilles", 1960, 25},
    {"Denis", 1960, 20}, {"Bruno", 1965, 25}, {"Christophe", 1970, 45}, {"Laurent", 1968, 40},
    {"Stéphane", 1970, 40}, {"Frédéric", 1970, 35}, {"Olivier", 1970, 35}, {"Hervé", 1962, 20},
    {"Patrice", 1962, 15}, {"Marc", 1965, 25}, {"Franck", 1968, 20}, {"Jérôme", 1974, 30},
    {"Sébastien", 1977, 40}, {"Nicolas", 1980, 45}, {"David", 1975, 35}, {"Cédric", 1978, 25},
    {"Fabrice", 1970, 20}, {"Ludovic", 1977, 15}, {"Arnaud", 1978, 15}, {"Julien", 1983, 40},
    {"Mickaël", 1980, 20}, {"Jérémy", 1988, 25}, {"Guillaume", 1985, 30}, {"Romain", 1990, 30},
    {"Anthony", 1988, 25}, {"Kévin", 1992, 35}, {"Thomas", 1992, 40}, {"Alexandre", 1990, 30},
    {"Maxime", 1995, 35}, {"Quentin", 1996, 25}, {"Florian", 1992, 20}, {"Benjamin", 1990, 20},
    {"Adrien", 1995, 18}, {"Clément", 1998, 22}, {"Antoine", 1995, 25}, {"Valentin", 1998, 18},
    {"Lucas", 2003, 45}, {"Hugo", 2005, 35}, {"Théo", 2005, 35}, {"Enzo", 2008, 25},
    {"Mathis", 2008, 20}, {"Nathan", 2005, 35}, {"Léo", 2012, 35}, {"Gabriel", 2015, 45},
    {"Raphaël", 2015, 35}, {"Louis", 2015, 35}, {"Arthur", 2018, 35}, {"Jules", 2016, 30},
    {"Adam", 2016, 30}, {"Noah", 2019, 25}, {"Tom", 2010, 20}, {"Paul", 2015, 20},
    {"Sacha", 2018, 20}, {"Timéo", 2012, 12}, {"Mattéo", 2012, 18}, {"Ethan", 2010, 18},
    {"Nolan", 2012, 12}, {"Baptiste", 2000, 15}, {"Corentin", 1998, 12}, {"Erwan", 1995, 10},
    {"Gaël", 1985, 10}, {"Loïc", 1980, 15}, {"Yannick", 1970, 15}, {"Tristan", 2000, 8},
    {"Malo", 2015, 10}, {"Aurélien", 1983, 12}, {"Grégory", 1978, 15}, {"Matthieu", 1980, 15},
    {"Vincent", 1975, 25}, {"Xavier", 1970, 15}, {"Samuel", 1995, 15}, {"Noé", 2019, 18},
    {"Victor", 2015, 15}, {"Marius", 2020, 10}, {"Mohamed", 1990, 12}, {"Yanis", 2005, 12},
    {"Rayan", 2005, 10}, {"Ewen", 2010, 8}, {"Jean-Baptiste", 1990, 10}, {"Étienne", 1925, 12},
    {"Benoît", 1980, 15}, {"François", 1960, 25}, {"Jean-Christophe", 1970, 10},
    {"Gérald", 1960, 6}, {"Régis", 1962, 10}, {"Joël", 1958, 15}, {"Noël", 1940, 8},
    {"Félix", 2018, 12}, {"Côme", 2018, 6},
};

/* Communes: INSEE (COG) code, postcode, name, population in thousands (the
 * weight for births and residences). Paris, Marseille and Lyon births are
 * registered by arrondissement (751xx, 132xx, 6938x). */
static const commune COMMUNES[] = {
    {"75056", "75015", "Paris", 2100}, {"13055", "13008", "Marseille", 870},
    {"69123", "69003", "Lyon", 520}, {"31555", "31000", "Toulouse", 500},
    {"06088", "06000", "Nice", 340}, {"44109", "44000", "Nantes", 320},
    {"34172", "34000", "Montpellier", 300}, {"67482", "67000", "Strasbourg", 290},
    {"33063", "33000", "Bordeaux", 260}, {"59350", "59000", "Lille", 235},
    {"35238", "35000", "Rennes", 222}, {"51454", "51100", "Reims", 180},
    {"83137", "83000", "Toulon", 180}, {"42218", "42000", "Saint-Étienne", 173},
    {"76351", "76600", "Le Havre", 168}, {"38185", "38000", "Grenoble", 158},
    {"21231", "21000", "Dijon", 158}, {"49007", "49000", "Angers", 157},
    {"30189", "30000", "Nîmes", 150}, {"69266", "69100", "Villeurbanne", 152},
    {"63113", "63000", "Clermont-Ferrand", 147}, {"72181", "72000", "Le Mans", 145},
    {"13001", "13100", "Aix-en-Provence", 145}, {"29019", "29200", "Brest", 140},
    {"37261", "37000", "Tours", 136}, {"80021", "80000", "Amiens", 134},
    {"87085", "87000", "Limoges", 130}, {"74010", "74000", "Annecy", 130},
    {"66136", "66000", "Perpignan", 120}, {"57463", "57000", "Metz", 118},
    {"25056", "25000", "Besançon", 117}, {"45234", "45000", "Orléans", 116},
    {"76540", "76000", "Rouen", 112}, {"14118", "14000", "Caen", 106},
    {"68224", "68100", "Mulhouse", 108}, {"54395", "54000", "Nancy", 104},
    {"95018", "95100", "Argenteuil", 110}, {"93048", "93100", "Montreuil", 110},
    {"93066", "93200", "Saint-Denis", 112}, {"59512", "59100", "Roubaix", 98},
    {"59599", "59200", "Tourcoing", 98}, {"84007", "84000", "Avignon", 91},
    {"86194", "86000", "Poitiers", 89}, {"64445", "64000", "Pau", 76},
    {"17300", "17000", "La Rochelle", 77}, {"62193", "62100", "Calais", 67},
    {"06029", "06400", "Cannes", 74}, {"2A004", "20000", "Ajaccio", 71},
    {"2B033", "20200", "Bastia", 48}, {"29232", "29000", "Quimper", 63},
    {"56260", "56000", "Vannes", 54}, {"56121", "56100", "Lorient", 57},
    {"22278", "22000", "Saint-Brieuc", 44}, {"35288", "35400", "Saint-Malo", 46},
    {"22113", "22300", "Lannion", 20}, {"29151", "29600", "Morlaix", 15},
    {"35115", "35300", "Fougères", 20}, {"35360", "35500", "Vitré", 18},
    {"35236", "35600", "Redon", 9}, {"22050", "22100", "Dinan", 14},
    {"53130", "53000", "Laval", 50}, {"49099", "49300", "Cholet", 54},
    {"44184", "44600", "Saint-Nazaire", 72}, {"85191", "85000", "La Roche-sur-Yon", 55},
    {"79191", "79000", "Niort", 59}, {"16015", "16000", "Angoulême", 42},
    {"24322", "24000", "Périgueux", 30}, {"47001", "47000", "Agen", 33},
    {"64102", "64100", "Bayonne", 52}, {"65440", "65000", "Tarbes", 42},
    {"82121", "82000", "Montauban", 61}, {"81004", "81000", "Albi", 49},
    {"12202", "12000", "Rodez", 25}, {"46042", "46000", "Cahors", 20},
    {"11069", "11000", "Carcassonne", 46}, {"34032", "34500", "Béziers", 78},
    {"11262", "11100", "Narbonne", 55}, {"34301", "34200", "Sète", 44},
    {"13004", "13200", "Arles", 51}, {"26362", "26000", "Valence", 64},
    {"73065", "73000", "Chambéry", 60}, {"01053", "01000", "Bourg-en-Bresse", 42},
    {"71270", "71000", "Mâcon", 34}, {"71076", "71100", "Chalon-sur-Saône", 45},
    {"89024", "89000", "Auxerre", 35}, {"10387", "10000", "Troyes", 62},
    {"08105", "08000", "Charleville-Mézières", 46}, {"88160", "88000", "Épinal", 32},
    {"68066", "68000", "Colmar", 70}, {"90010", "90000", "Belfort", 47},
    {"70550", "70000", "Vesoul", 15}, {"39300", "39000", "Lons-le-Saunier", 17},
    {"58194", "58000", "Nevers", 33}, {"18033", "18000", "Bourges", 64},
    {"36044", "36000", "Châteauroux", 43}, {"41018", "41000", "Blois", 46},
    {"28085", "28000", "Chartres", 39}, {"27229", "27000", "Évreux", 47},
    {"60057", "60000", "Beauvais", 56}, {"60159", "60200", "Compiègne", 40},
    {"02691", "02100", "Saint-Quentin", 53}, {"62041", "62000", "Arras", 41},
    {"62498", "62300", "Lens", 31}, {"59183", "59140", "Dunkerque", 87},
    {"62160", "62200", "Boulogne-sur-Mer", 40}, {"59606", "59300", "Valenciennes", 43},
    {"78646", "78000", "Versailles", 85}, {"92050", "92000", "Nanterre", 96},
    {"92012", "92100", "Boulogne-Billancourt", 121}, {"94028", "94000", "Créteil", 92},
    {"94081", "94400", "Vitry-sur-Seine", 95}, {"91228", "91000", "Évry-Courcouronnes", 66},
    {"77288", "77000", "Melun", 41}, {"77284", "77100", "Meaux", 56},
    {"95127", "95000", "Cergy", 66}, {"05061", "05000", "Gap", 41},
    {"15014", "15000", "Aurillac", 25}, {"43157", "43000", "Le Puy-en-Velay", 19},
    {"19031", "19100", "Brive-la-Gaillarde", 46}, {"03185", "03100", "Montluçon", 35},
    {"50129", "50100", "Cherbourg-en-Cotentin", 78}, {"61001", "61000", "Alençon", 25},
    {"40192", "40000", "Mont-de-Marsan", 30}, {"09122", "09000", "Foix", 9},
    {"32013", "32000", "Auch", 22}, {"97209", "97200", "Fort-de-France", 76},
    {"97120", "97110", "Pointe-à-Pitre", 15}, {"97411", "97400", "Saint-Denis", 150},
    {"97302", "97300", "Cayenne", 63}, {"97416", "97410", "Saint-Pierre", 85},
};

/* Departments for births in a commune not listed above (a real-looking code:
 * the department and a commune number). */
static const char *const DEPARTMENTS[] = {
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "2A", "2B", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
    "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47",
    "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63",
    "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "76", "77", "78", "79", "80",
    "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95",
};

/* Countries of birth (COG code 99xxx), weighted like births abroad in France. */
static const commune COUNTRIES[] = {
    {"99352", NULL, "Algérie", 30}, {"99350", NULL, "Maroc", 25}, {"99351", NULL, "Tunisie", 10},
    {"99139", NULL, "Portugal", 15}, {"99127", NULL, "Italie", 8}, {"99134", NULL, "Espagne", 6},
    {"99109", NULL, "Allemagne", 4}, {"99131", NULL, "Belgique", 4},
    {"99132", NULL, "Royaume-Uni", 3}, {"99208", NULL, "Turquie", 6}, {"99341", NULL, "Sénégal", 4},
    {"99335", NULL, "Mali", 3}, {"99326", NULL, "Côte d'Ivoire", 4}, {"99322", NULL, "Cameroun", 3},
    {"99333", NULL, "Madagascar", 3}, {"99243", NULL, "Viêt Nam", 3}, {"99216", NULL, "Chine", 3},
    {"99114", NULL, "Roumanie", 3}, {"99122", NULL, "Pologne", 2}, {"99140", NULL, "Suisse", 2},
};

static const char *const STREET_TYPES[] = {
    "rue", "rue", "rue", "avenue", "boulevard", "place", "impasse", "allée", "chemin", "route",
    "quai",
};
static const char *const STREET_NAMES[] = {
    "de la Paix", "Victor Hugo", "Jean Jaurès", "de l'Église", "des Lilas", "du Général de Gaulle",
    "Pasteur", "de la République", "des Écoles", "du Moulin", "de la Gare", "des Tilleuls",
    "Saint-Michel", "du Château", "de Verdun", "Gambetta", "Voltaire", "Jules Ferry",
    "de la Liberté", "des Acacias", "du Stade", "Émile Zola", "de Bretagne", "des Peupliers",
    "de la Mairie", "du Port", "Anatole France", "Jean Moulin", "des Roses", "de Normandie",
    "du Maréchal Foch", "Aristide Briand", "Léon Blum", "des Champs", "de la Fontaine",
    "Louis Pasteur", "de l'Océan", "Saint-Martin", "du Bois", "des Vignes",
};

/* Year of birth: shares by decade (people alive in 2026, France), 2020s = 2020-2025. */
static const double DECADE_SHARE[] = {0.5, 3.5, 8.0, 12.0, 13.0, 12.5, 12.5, 12.0, 12.0, 11.5, 5.5};
#define FIRST_YEAR 1920
#define LAST_YEAR 2025
#define NYEARS (LAST_YEAR - FIRST_YEAR + 1)

/* clang-format on */

/* ==== derived tables (built once) ======================================== */

static struct tables {
    double family_cum[COUNT(FAMILY_NAMES)];
    double given_f_cum[NYEARS][COUNT(GIVEN_F)];
    double given_m_cum[NYEARS][COUNT(GIVEN_M)];
    double commune_cum[COUNT(COMMUNES)];
    double country_cum[COUNT(COUNTRIES)];
    double decade_cum[COUNT(DECADE_SHARE)];
} T;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_given(const given_entry *names, int n, double *cum_rows, int stride)
{
    for (int y = 0; y < NYEARS; y++) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            /* a name's fashion lasts about a generation; a small floor keeps
             * old names alive (a Marie is born every year) */
            double d = (FIRST_YEAR + y - names[i].peak) / 14.0;
            acc += names[i].weight * (exp(-d * d / 2) + 0.005);
            cum_rows[y * stride + i] = acc;
        }
    }
}

static void build_tables(void)
{
    double acc = 0;
    for (int i = 0; i < COUNT(FAMILY_NAMES); i++) {
        acc += pow(i + 1, -0.45);
        T.family_cum[i] = acc;
    }
    build_given(GIVEN_F, COUNT(GIVEN_F), &T.given_f_cum[0][0], COUNT(GIVEN_F));
    build_given(GIVEN_M, COUNT(GIVEN_M), &T.given_m_cum[0][0], COUNT(GIVEN_M));
    acc = 0;
    for (int i = 0; i < COUNT(COMMUNES); i++) {
        acc += COMMUNES[i].weight;
        T.commune_cum[i] = acc;
    }
    acc = 0;
    for (int i = 0; i < COUNT(COUNTRIES); i++) {
        acc += COUNTRIES[i].weight;
        T.country_cum[i] = acc;
    }
    acc = 0;
    for (int i = 0; i < COUNT(DECADE_SHARE); i++) {
        acc += DECADE_SHARE[i];
        T.decade_cum[i] = acc;
    }
}

void synth_data_init(void)
{
    pthread_once(&tables_once, build_tables);
}

/* ==== picks ============================================================== */

static const char *family_simple(rng *r, arena *ar)
{
    if (rng_chance(r, LIST_NAME_SHARE))
        return FAMILY_NAMES[pick_cumulative(r, T.family_cum, COUNT(FAMILY_NAMES))];
    const char *root = NAME_ROOTS[rng_below(r, COUNT(NAME_ROOTS))];
    const char *mid = NAME_MIDDLES[rng_below(r, COUNT(NAME_MIDDLES))];
    const char *end = NAME_ENDINGS[rng_below(r, COUNT(NAME_ENDINGS))];
    return arena_printf(ar, "%s%s%s", root, mid, end);
}

const char *synth_family_name(rng *r, arena *ar)
{
    if (rng_chance(r, COMPOUND_NAME_SHARE)) {
        const char *a = family_simple(r, ar), *b = family_simple(r, ar);
        if (strcmp(a, b) != 0 && !strchr(a, ' ') && !strchr(b, ' '))
            return arena_printf(ar, "%s-%s", a, b);
        return a;
    }
    return family_simple(r, ar);
}

const char *synth_given_name(rng *r, char sex, int year)
{
    int y = year - FIRST_YEAR;
    if (sex == 'F')
        return GIVEN_F[pick_cumulative(r, T.given_f_cum[y], COUNT(GIVEN_F))].name;
    return GIVEN_M[pick_cumulative(r, T.given_m_cum[y], COUNT(GIVEN_M))].name;
}

void synth_birth_decade(rng *r, int *first_year, int *last_year)
{
    int decade = pick_cumulative(r, T.decade_cum, COUNT(DECADE_SHARE));
    *first_year = FIRST_YEAR + 10 * decade;
    *last_year = decade == COUNT(DECADE_SHARE) - 1 ? LAST_YEAR : *first_year + 9;
}

const commune *synth_commune(rng *r)
{
    return &COMMUNES[pick_cumulative(r, T.commune_cum, COUNT(COMMUNES))];
}

const commune *synth_country(rng *r)
{
    return &COUNTRIES[pick_cumulative(r, T.country_cum, COUNT(COUNTRIES))];
}

const char *synth_department(rng *r)
{
    return DEPARTMENTS[rng_below(r, COUNT(DEPARTMENTS))];
}

/* Address in a commune of the list (a residence). */
void synth_residence(rng *r, arena *ar, const commune *cm, patient_input *in)
{
    int number = 1 + (int)rng_below(r, 180);
    in->address_line = arena_printf(ar, "%d%s %s %s", number, rng_chance(r, 0.03) ? " bis" : "",
                                    STREET_TYPES[rng_below(r, COUNT(STREET_TYPES))],
                                    STREET_NAMES[rng_below(r, COUNT(STREET_NAMES))]);
    in->postcode = cm->postcode;
    in->city = cm->name;
    in->country = "France";
}

/* COG code of a birth in commune cm: arrondissements for Paris, Marseille, Lyon. */
const char *synth_birth_cog(rng *r, arena *ar, const commune *cm)
{
    if (strcmp(cm->cog, "75056") == 0)
        return arena_printf(ar, "751%02d", 1 + (int)rng_below(r, 20));
    if (strcmp(cm->cog, "13055") == 0)
        return arena_printf(ar, "132%02d", 1 + (int)rng_below(r, 16));
    if (strcmp(cm->cog, "69123") == 0)
        return arena_printf(ar, "6938%d", 1 + (int)rng_below(r, 9));
    return cm->cog;
}
