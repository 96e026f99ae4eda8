//! Reference tables (invented people, real places).

use recouvre_domain::case::{ClaimNature, Employment};

#[rustfmt::skip]
pub(super) const LAST_NAMES: &[&str] = &[
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
    "Millet", "Perrot", "Le Roux", "Weber", "Hoarau", "Nguyen", "Da Silva", "Haddad", "Wagner",
    "Fischer", "Hoffmann",
];

#[rustfmt::skip]
pub(super) const MALE_FIRST_NAMES: &[&str] = &[
    "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Jacques", "Bernard", "Daniel",
    "Patrick", "Christian", "Nicolas", "Éric", "Christophe", "Laurent", "Frédéric", "Stéphane",
    "David", "Olivier", "Sébastien", "Julien", "Thierry", "Pascal", "Vincent", "François", "Thomas",
    "Guillaume", "Jérôme", "Maxime", "Alexandre", "Antoine", "Kevin", "Romain", "Anthony",
    "Mathieu", "Hugo", "Lucas", "Théo", "Louis", "Gabriel", "Arthur", "Raphaël", "Léo", "Jules",
    "Enzo", "Mohamed", "Karim", "Mehdi", "Yann", "Loïc", "Gilles", "Didier", "Dominique", "Gérard",
    "Serge", "Bruno", "René", "Claude", "Marcel", "Georges", "Henri", "Jean-Pierre", "Jean-Claude",
    "Jean-Luc", "Jean-Marc", "Fabrice", "Cédric", "Benoît", "Damien", "Yannick", "Hervé", "Arnaud",
    "Xavier", "Florian", "Quentin",
];

#[rustfmt::skip]
pub(super) const FEMALE_FIRST_NAMES: &[&str] = &[
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Monique", "Christine",
    "Martine", "Valérie", "Sandrine", "Stéphanie", "Céline", "Véronique", "Sophie", "Nicole",
    "Chantal", "Patricia", "Anne", "Brigitte", "Julie", "Aurélie", "Émilie", "Camille", "Laura",
    "Sarah", "Manon", "Léa", "Chloé", "Emma", "Inès", "Jade", "Louise", "Alice", "Pauline",
    "Marion", "Claire", "Caroline", "Audrey", "Virginie", "Delphine", "Laetitia", "Élodie",
    "Mélanie", "Jessica", "Amandine", "Karine", "Florence", "Hélène", "Corinne", "Jacqueline",
    "Denise", "Simone", "Jeanne", "Yvette", "Danielle", "Josiane", "Annie", "Michèle", "Mireille",
    "Agnès", "Béatrice", "Laurence", "Élise", "Charlotte", "Lucie", "Océane", "Justine", "Anaïs",
    "Fatima", "Nadia", "Anne-Sophie", "Marie-Christine", "Sabrina", "Gaëlle",
];

pub(super) const STREET_TYPES: &[(&str, u32)] =
    &[("rue", 55), ("avenue", 12), ("boulevard", 6), ("impasse", 8), ("allée", 8), ("chemin", 7), ("place", 4)];

#[rustfmt::skip]
pub(super) const STREET_NAMES: &[&str] = &[
    "de la République", "Victor Hugo", "Jean Jaurès", "de la Gare", "Pasteur",
    "du Général de Gaulle", "de la Paix", "des Écoles", "du Moulin", "de l'Église", "Gambetta",
    "Voltaire", "Émile Zola", "Jules Ferry", "de la Mairie", "des Lilas", "des Roses", "du Stade",
    "de la Liberté", "Carnot", "Anatole France", "Paul Bert", "du 8 Mai 1945", "du 11 Novembre",
    "Jean Moulin", "de Verdun", "de Strasbourg", "de Paris", "des Acacias", "du Château",
    "des Tilleuls", "du Port", "de la Fontaine", "Georges Clemenceau", "d'Alsace-Lorraine",
    "des Peupliers", "Saint-Martin", "du Marché", "des Vignes", "des Champs", "de la Croix",
    "Pierre et Marie Curie", "Aristide Briand", "du Maréchal Foch", "Jean Macé", "Henri Barbusse",
    "des Cerisiers", "du Lavoir", "des Prés", "Condorcet",
];

/// (postcode, city, department with its article — "UDAF du Rhône").
pub(super) const CITIES: &[(&str, &str, &str)] = &[
    ("75011", "Paris", "de Paris"),
    ("75015", "Paris", "de Paris"),
    ("75018", "Paris", "de Paris"),
    ("75020", "Paris", "de Paris"),
    ("13001", "Marseille", "des Bouches-du-Rhône"),
    ("13013", "Marseille", "des Bouches-du-Rhône"),
    ("13090", "Aix-en-Provence", "des Bouches-du-Rhône"),
    ("69003", "Lyon", "du Rhône"),
    ("69008", "Lyon", "du Rhône"),
    ("69100", "Villeurbanne", "du Rhône"),
    ("31000", "Toulouse", "de la Haute-Garonne"),
    ("06000", "Nice", "des Alpes-Maritimes"),
    ("44000", "Nantes", "de la Loire-Atlantique"),
    ("34000", "Montpellier", "de l'Hérault"),
    ("67000", "Strasbourg", "du Bas-Rhin"),
    ("67500", "Haguenau", "du Bas-Rhin"),
    ("68100", "Mulhouse", "du Haut-Rhin"),
    ("68000", "Colmar", "du Haut-Rhin"),
    ("57000", "Metz", "de la Moselle"),
    ("57100", "Thionville", "de la Moselle"),
    ("57200", "Sarreguemines", "de la Moselle"),
    ("33000", "Bordeaux", "de la Gironde"),
    ("59000", "Lille", "du Nord"),
    ("59100", "Roubaix", "du Nord"),
    ("59200", "Tourcoing", "du Nord"),
    ("35000", "Rennes", "d'Ille-et-Vilaine"),
    ("51100", "Reims", "de la Marne"),
    ("42000", "Saint-Étienne", "de la Loire"),
    ("83000", "Toulon", "du Var"),
    ("76600", "Le Havre", "de la Seine-Maritime"),
    ("76000", "Rouen", "de la Seine-Maritime"),
    ("38000", "Grenoble", "de l'Isère"),
    ("21000", "Dijon", "de la Côte-d'Or"),
    ("49000", "Angers", "de Maine-et-Loire"),
    ("30000", "Nîmes", "du Gard"),
    ("63000", "Clermont-Ferrand", "du Puy-de-Dôme"),
    ("72000", "Le Mans", "de la Sarthe"),
    ("29200", "Brest", "du Finistère"),
    ("29000", "Quimper", "du Finistère"),
    ("37000", "Tours", "d'Indre-et-Loire"),
    ("80000", "Amiens", "de la Somme"),
    ("87000", "Limoges", "de la Haute-Vienne"),
    ("74000", "Annecy", "de la Haute-Savoie"),
    ("66000", "Perpignan", "des Pyrénées-Orientales"),
    ("92100", "Boulogne-Billancourt", "des Hauts-de-Seine"),
    ("92000", "Nanterre", "des Hauts-de-Seine"),
    ("92600", "Asnières-sur-Seine", "des Hauts-de-Seine"),
    ("25000", "Besançon", "du Doubs"),
    ("45000", "Orléans", "du Loiret"),
    ("14000", "Caen", "du Calvados"),
    ("54000", "Nancy", "de Meurthe-et-Moselle"),
    ("93200", "Saint-Denis", "de la Seine-Saint-Denis"),
    ("93100", "Montreuil", "de la Seine-Saint-Denis"),
    ("95100", "Argenteuil", "du Val-d'Oise"),
    ("94400", "Vitry-sur-Seine", "du Val-de-Marne"),
    ("94000", "Créteil", "du Val-de-Marne"),
    ("84000", "Avignon", "de Vaucluse"),
    ("64000", "Pau", "des Pyrénées-Atlantiques"),
    ("64100", "Bayonne", "des Pyrénées-Atlantiques"),
    ("17000", "La Rochelle", "de la Charente-Maritime"),
    ("62100", "Calais", "du Pas-de-Calais"),
    ("62000", "Arras", "du Pas-de-Calais"),
    ("86000", "Poitiers", "de la Vienne"),
    ("56100", "Lorient", "du Morbihan"),
    ("26000", "Valence", "de la Drôme"),
    ("81000", "Albi", "du Tarn"),
    ("18000", "Bourges", "du Cher"),
    ("10000", "Troyes", "de l'Aube"),
    ("71100", "Chalon-sur-Saône", "de Saône-et-Loire"),
    ("65000", "Tarbes", "des Hautes-Pyrénées"),
    ("41000", "Blois", "de Loir-et-Cher"),
    ("11100", "Narbonne", "de l'Aude"),
    ("60000", "Beauvais", "de l'Oise"),
    ("03100", "Montluçon", "de l'Allier"),
    ("24000", "Périgueux", "de la Dordogne"),
    ("82000", "Montauban", "de Tarn-et-Garonne"),
    ("19100", "Brive-la-Gaillarde", "de la Corrèze"),
    ("88000", "Épinal", "des Vosges"),
    ("73000", "Chambéry", "de la Savoie"),
    ("01000", "Bourg-en-Bresse", "de l'Ain"),
    ("79000", "Niort", "des Deux-Sèvres"),
    ("53000", "Laval", "de la Mayenne"),
    ("85000", "La Roche-sur-Yon", "de la Vendée"),
    ("50100", "Cherbourg-en-Cotentin", "de la Manche"),
    ("97400", "Saint-Denis", "de La Réunion"),
];

/// Bank codes of the debtors' accounts elsewhere (the account at this bank is closed).
#[rustfmt::skip]
pub(super) const OTHER_BANKS: &[u64] = &[
    30_004, 30_003, 30_002, 20_041, 10_278, 11_306, 10_107, 18_206, 13_335,
];

pub(super) const EMPLOYER_PATTERNS: &[(&str, &str)] = &[
    ("Transports ", " SARL"),
    ("Boulangerie ", ""),
    ("Garage ", " SAS"),
    ("Menuiserie ", " et Fils"),
    ("Maçonnerie ", " SARL"),
    ("Ambulances ", ""),
    ("Plomberie ", " SARL"),
    ("Pharmacie ", ""),
    ("Cabinet ", " et Associés"),
    ("Restaurant Chez ", ""),
    ("Électricité ", " SAS"),
    ("Boucherie ", ""),
    ("Paysages ", " SARL"),
    ("Taxis ", ""),
];

pub(super) const EMPLOYERS: &[&str] = &[
    "Logistique du Grand Ouest SAS",
    "Clinique des Lilas",
    "EHPAD Les Glycines",
    "Hôtel du Parc",
    "Supermarché des Halles",
    "Atelier Mécanique de l'Est",
    "Société Nouvelle de Nettoyage",
    "Gardiennage Provence Sécurité",
    "Conserverie de la Côte",
    "Plasturgie Rhône-Alpes SA",
    "Imprimerie du Centre",
    "Résidence seniors Les Tilleuls",
    "Crèche Les Petits Loups",
    "Atlantique Relation Client SAS",
    "Horizon Intérim",
    "Bâtiment Services du Sud SARL",
];

pub(super) const GUARANTEE_BODIES: &[&str] =
    &["Habitat Caution SA", "Caution Mutuelle du Logement", "Société Française de Garantie Habitat"];

#[rustfmt::skip]
pub(super) const CAR_MODELS: &[&str] = &[
    "Peugeot 208", "Renault Clio", "Citroën C3", "Dacia Sandero", "Volkswagen Golf", "Toyota Yaris",
    "Renault Captur", "Peugeot 3008",
];

pub(super) const NATURES: &[(ClaimNature, u32)] = &[
    (ClaimNature::Overdraft, 35),
    (ClaimNature::Card, 10),
    (ClaimNature::RevolvingCredit, 20),
    (ClaimNature::PersonalLoan, 25),
    (ClaimNature::Mortgage, 10),
];

pub(super) const EMPLOYMENTS: &[(Employment, u32)] = &[
    (Employment::Employed, 55),
    (Employment::Unemployed, 15),
    (Employment::Retired, 12),
    (Employment::Benefits, 10),
    (Employment::SelfEmployed, 6),
    (Employment::Student, 2),
];
