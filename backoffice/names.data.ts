/** Name material per language for the generated customers: common names, so the data reads like a real book of business. */

export type Language = 'fr' | 'de' | 'en';

export const GIVEN_NAMES: Readonly<Record<Language, readonly string[]>> = {
  fr: [
    'Claire', 'Camille', 'Léa', 'Manon', 'Chloé', 'Inès', 'Sophie', 'Julie', 'Nathalie', 'Isabelle', 'Émilie', 'Céline',
    'Sandrine', 'Valérie', 'Amélie', 'Hélène', 'Margaux', 'Élodie', 'Lucie', 'Anaïs', 'Jean', 'Pierre', 'Nicolas',
    'Thomas', 'Julien', 'Antoine', 'François', 'Laurent', 'Philippe', 'Mathieu', 'Hugo', 'Louis', 'Lucas', 'Théo',
    'Maxime', 'Sébastien', 'Olivier', 'Guillaume', 'Benoît', 'Jérôme', 'Christophe', 'Frédéric', 'Yann', 'Rémi',
  ],
  de: [
    'Anna', 'Lena', 'Laura', 'Julia', 'Sarah', 'Katharina', 'Sabine', 'Petra', 'Monika', 'Andrea', 'Claudia', 'Stefanie',
    'Jana', 'Lea', 'Hannah', 'Sophie', 'Marie', 'Ursula', 'Brigitte', 'Jürgen', 'Thomas', 'Michael', 'Andreas',
    'Stefan', 'Markus', 'Christian', 'Alexander', 'Tobias', 'Matthias', 'Florian', 'Sebastian', 'Jonas', 'Lukas',
    'Felix', 'Maximilian', 'Uwe', 'Klaus', 'Wolfgang', 'Dieter', 'Jörg', 'Björn', 'Niklas', 'Reto', 'Urs',
  ],
  en: [
    'Olivia', 'Amelia', 'Isla', 'Emily', 'Sophie', 'Charlotte', 'Grace', 'Jessica', 'Hannah', 'Lucy', 'Sarah', 'Emma',
    'Rebecca', 'Rachel', 'Eleanor', 'Chloe', 'Megan', 'Harriet', 'Oliver', 'George', 'Harry', 'Jack', 'James',
    'William', 'Thomas', 'Daniel', 'Matthew', 'David', 'Richard', 'Edward', 'Samuel', 'Joseph', 'Benjamin', 'Alexander',
    'Henry', 'Charlie', 'Oscar', 'Callum', 'Rhys', 'Owen', 'Liam', 'Connor', 'Andrew', 'Simon',
  ],
};

export const FAMILY_NAMES: Readonly<Record<Language, readonly string[]>> = {
  fr: [
    'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon',
    'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard',
    'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure',
    'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément',
    'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Peeters', 'Janssens', 'Dupuis', 'Schmit', 'Weber',
  ],
  de: [
    'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
    'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun',
    'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Schmitz', 'Krause', 'Meier', 'Lehmann',
    'Huber', 'Maier', 'Köhler', 'Gruber', 'Steiner', 'Moser', 'Keller', 'Brunner', 'Baumann', 'Frei', 'Gerber',
    'Pichler', 'Wimmer', 'Egger', 'Hagen', 'Reuter', 'Thill', 'Kremer', 'Hansen',
  ],
  en: [
    'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
    'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel',
    'Khan', 'Lewis', 'James', 'Phillips', 'Mason', 'Mitchell', 'Rose', 'Davis', 'Rodriguez', 'Cox', 'Alexander',
    "O'Brien", 'Murphy', 'Campbell', 'Stewart', 'Morgan', 'Hughes', 'Edwards', 'Turner', 'Cooper', 'Ward',
    'Harris', 'King', 'Baker', 'Scott', 'Young', 'Allen', 'Bell', 'Anderson',
  ],
};

/** Company name patterns; `{name}` is replaced by a family name. */
export const COMPANY_PATTERNS: Readonly<Record<Language, readonly string[]>> = {
  fr: [
    'Boulangerie {name}', 'Transports {name}', '{name} & Fils', 'Garage {name}', 'Cabinet {name}', 'Atelier {name}',
    'Pharmacie {name}', 'Menuiserie {name}', '{name} Conseil', '{name} Immobilier', 'Plomberie {name}', 'Fromagerie {name}',
  ],
  de: [
    '{name} Bau', '{name} Logistik', 'Bäckerei {name}', '{name} Consulting', 'Autohaus {name}', '{name} Elektrotechnik',
    'Schreinerei {name}', 'Praxis Dr. {name}', '{name} & Söhne', '{name} Immobilien', 'Metzgerei {name}', '{name} Software',
  ],
  en: [
    '{name} & Sons', '{name} Logistics', '{name} Builders', '{name} Consulting', '{name} Motors', '{name} Bakery',
    '{name} Electrical', '{name} Property', '{name} Joinery', '{name} Dental Practice', '{name} Software', '{name} Trading',
  ],
};

/** Legal forms by country and language, so a Swiss French firm is a "SA" and a Swiss German one an "AG". */
export const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  'FR-fr': ['SARL', 'SAS', 'SA', 'EURL'],
  'BE-fr': ['SRL', 'SA', 'SC'],
  'BE-de': ['GmbH', 'AG'],
  'LU-fr': ['S.à r.l.', 'S.A.'],
  'LU-de': ['S.à r.l.', 'S.A.'],
  'CH-fr': ['SA', 'Sàrl'],
  'CH-de': ['AG', 'GmbH'],
  'DE-de': ['GmbH', 'GmbH & Co. KG', 'AG', 'e.K.', 'UG (haftungsbeschränkt)'],
  'AT-de': ['GmbH', 'KG', 'AG', 'e.U.'],
  'GB-en': ['Ltd', 'Ltd', 'plc', 'LLP'],
};

const UMLAUTS: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss' };

/** Folds accents the way people do in e-mail addresses and domain names: "Lefèvre" → "Lefevre", "Müller" → "Mueller". */
export function asciiFold(text: string): string {
  return text
    .replace(/[äöüÄÖÜß]/g, (c) => UMLAUTS[c])
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/** "Lefèvre" → "lefevre", "O'Brien" → "obrien". */
export function emailSlug(text: string): string {
  return asciiFold(text).toLowerCase().replace(/[^a-z0-9]+/g, '');
}
