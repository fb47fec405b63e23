import type { Language } from './names.data';
import { WeightedChoice, type RandomSource } from './random.source';
import type { CrmAddress } from './wire.types';

export type CountryCode = 'FR' | 'DE' | 'CH' | 'BE' | 'AT' | 'GB' | 'LU';

/** Roughly the customer base of a bank or insurer working across these markets. */
export const COUNTRIES = new WeightedChoice<CountryCode>({ FR: 30, DE: 25, GB: 12, CH: 10, BE: 10, AT: 8, LU: 5 });

/** Languages spoken by customers of each country; CH, BE and LU are mixed. */
export const LANGUAGES: Readonly<Record<CountryCode, WeightedChoice<Language>>> = {
  FR: new WeightedChoice<Language>({ fr: 1 }),
  DE: new WeightedChoice<Language>({ de: 1 }),
  AT: new WeightedChoice<Language>({ de: 1 }),
  GB: new WeightedChoice<Language>({ en: 1 }),
  CH: new WeightedChoice<Language>({ de: 65, fr: 35 }),
  BE: new WeightedChoice<Language>({ fr: 85, de: 15 }),
  LU: new WeightedChoice<Language>({ fr: 55, de: 45 }),
};

/** Mobile numbers in E.164 as the national plans allocate them (used by tests to check the data). */
export const MOBILE_PATTERNS: Readonly<Record<CountryCode, RegExp>> = {
  FR: /^\+33[67]\d{8}$/,
  DE: /^\+491(5\d\d{8}|[67]\d\d{7,8})$/,
  CH: /^\+417[5-9]\d{7}$/,
  BE: /^\+324[7-9]\d{7}$/,
  AT: /^\+436(50|60|64|76|80|81|88|99)\d{7}$/,
  GB: /^\+447[4-9]\d{8}$/,
  LU: /^\+352(621|628|661|671|691)\d{6}$/,
};

/** Postal code formats; Luxembourg codes carry the "L-" prefix its post office asks for. */
export const POSTCODE_PATTERNS: Readonly<Record<CountryCode, RegExp>> = {
  FR: /^\d{5}$/,
  DE: /^\d{5}$/,
  CH: /^[1-9]\d{3}$/,
  BE: /^[1-9]\d{3}$/,
  AT: /^[1-9]\d{3}$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$/,
  LU: /^L-\d{4}$/,
};

interface City {
  readonly town: string;
  /** Real codes of the town: a list, ranges `a-b`, ranges with a step `a-b/10`; for GB, outward codes. */
  readonly codes: string;
}

type Region = `${CountryCode}-${Language}`;

const CITY_TABLE: Readonly<Partial<Record<Region, readonly City[]>>> = {
  'FR-fr': [
    { town: 'Paris', codes: '75001-75020' }, { town: 'Lyon', codes: '69001-69009' }, { town: 'Marseille', codes: '13001-13016' },
    { town: 'Toulouse', codes: '31000,31100,31200,31300,31400,31500' }, { town: 'Nice', codes: '06000,06100,06200,06300' },
    { town: 'Nantes', codes: '44000,44100,44200,44300' }, { town: 'Strasbourg', codes: '67000,67100,67200' },
    { town: 'Montpellier', codes: '34000,34070,34080,34090' }, { town: 'Bordeaux', codes: '33000,33100,33200,33300,33800' },
    { town: 'Lille', codes: '59000,59160,59260,59800' }, { town: 'Rennes', codes: '35000,35200,35700' },
    { town: 'Grenoble', codes: '38000,38100' }, { town: 'Dijon', codes: '21000' }, { town: 'Annecy', codes: '74000' },
    { town: 'Tours', codes: '37000,37100,37200' },
  ],
  'DE-de': [
    { town: 'Berlin', codes: '10115,10117,10178,10243,10245,10405,10435,10437,10551,10585,10623,10715,10827,12043,13347,14057' },
    { town: 'Hamburg', codes: '20095,20099,20144,20249,20354,20457,22041,22303,22767' },
    { town: 'München', codes: '80331,80333,80469,80538,80634,80796,80801,81369,81541,81667' },
    { town: 'Köln', codes: '50667,50668,50672,50674,50677,50733,50823,50935,51063' },
    { town: 'Frankfurt am Main', codes: '60306,60311,60313,60316,60318,60322,60385,60431,60486,60594' },
    { town: 'Stuttgart', codes: '70173,70174,70176,70178,70182,70190,70197,70372' },
    { town: 'Düsseldorf', codes: '40210,40211,40212,40213,40215,40219,40223,40477,40545' },
    { town: 'Leipzig', codes: '04103,04105,04107,04109,04155,04177,04229,04275' },
    { town: 'Dresden', codes: '01067,01069,01097,01099,01127,01277,01309' },
    { town: 'Hannover', codes: '30159,30161,30163,30169,30173,30175' }, { town: 'Nürnberg', codes: '90402,90403,90408,90419,90429,90443' },
    { town: 'Bremen', codes: '28195,28199,28203,28205,28209' }, { town: 'Freiburg im Breisgau', codes: '79098,79100,79102,79104' },
  ],
  'AT-de': [
    { town: 'Wien', codes: '1010-1230/10' }, { town: 'Graz', codes: '8010,8020,8036,8041,8042,8045,8051' },
    { town: 'Linz', codes: '4020,4030,4040' }, { town: 'Salzburg', codes: '5020,5023' }, { town: 'Innsbruck', codes: '6020' },
    { town: 'Klagenfurt am Wörthersee', codes: '9020' }, { town: 'Villach', codes: '9500' }, { town: 'St. Pölten', codes: '3100' },
  ],
  'CH-de': [
    { town: 'Zürich', codes: '8001-8006,8008,8032,8037,8044,8045,8048,8050,8055' }, { town: 'Basel', codes: '4051-4058' },
    { town: 'Bern', codes: '3005-3008,3011-3014,3018' }, { town: 'Luzern', codes: '6003-6006' },
    { town: 'St. Gallen', codes: '9000,9008,9010,9014' }, { town: 'Winterthur', codes: '8400,8404,8406,8408' },
  ],
  'CH-fr': [
    { town: 'Genève', codes: '1201-1209' }, { town: 'Lausanne', codes: '1003-1007,1010,1012,1018' },
    { town: 'Neuchâtel', codes: '2000' }, { town: 'Fribourg', codes: '1700' }, { town: 'Sion', codes: '1950' },
    { town: 'Montreux', codes: '1820' },
  ],
  'BE-fr': [
    { town: 'Bruxelles', codes: '1000' }, { town: 'Ixelles', codes: '1050' }, { town: 'Etterbeek', codes: '1040' },
    { town: 'Uccle', codes: '1180' }, { town: 'Schaerbeek', codes: '1030' }, { town: 'Liège', codes: '4000,4020,4030' },
    { town: 'Namur', codes: '5000' }, { town: 'Charleroi', codes: '6000' }, { town: 'Mons', codes: '7000' },
    { town: 'Louvain-la-Neuve', codes: '1348' }, { town: 'Tournai', codes: '7500' },
  ],
  'BE-de': [{ town: 'Eupen', codes: '4700' }, { town: 'Sankt Vith', codes: '4780' }, { town: 'Kelmis', codes: '4720' }],
  'LU-fr': [
    { town: 'Luxembourg', codes: '1114,1130,1219,1331,1449,1511,1616,1724,2010,2146,2530,2763' },
    { town: 'Esch-sur-Alzette', codes: '4001,4123,4210,4330' }, { town: 'Differdange', codes: '4530,4602' },
    { town: 'Dudelange', codes: '3401,3450,3512' }, { town: 'Ettelbruck', codes: '9010,9080' }, { town: 'Mersch', codes: '7501' },
  ],
  'GB-en': [
    { town: 'London', codes: 'SW1A,SW3,SW11,SE1,SE10,N1,N7,NW3,E1,E14,EC1A,EC2A,W1T,W2,WC1E' },
    { town: 'Manchester', codes: 'M1,M2,M4,M13,M14,M20' }, { town: 'Birmingham', codes: 'B1,B5,B15,B29' },
    { town: 'Leeds', codes: 'LS1,LS2,LS6,LS11' }, { town: 'Glasgow', codes: 'G1,G2,G11,G12' },
    { town: 'Edinburgh', codes: 'EH1,EH3,EH8,EH10' }, { town: 'Bristol', codes: 'BS1,BS6,BS8' },
    { town: 'Liverpool', codes: 'L1,L8,L17,L18' }, { town: 'Cardiff', codes: 'CF10,CF11,CF24' },
    { town: 'Oxford', codes: 'OX1,OX2,OX4' }, { town: 'Cambridge', codes: 'CB1,CB2,CB4' },
  ],
};

/** Streets per region and how a house number is written there. */
const STREETS: Readonly<Record<string, { readonly names: readonly string[]; readonly format: (street: string, no: string) => string }>> = {
  fr: {
    names: ['rue des Lilas', 'rue de la République', 'avenue Jean Jaurès', 'boulevard Victor Hugo', 'rue Pasteur',
      'place de la Mairie', 'rue du Général de Gaulle', 'chemin des Vignes', 'allée des Tilleuls', 'rue de la Gare',
      'rue Saint-Michel', 'impasse des Roses', 'boulevard Gambetta', 'avenue Foch', 'rue Voltaire', 'rue Émile Zola'],
    format: (street, no) => `${no} ${street}`,
  },
  de: {
    names: ['Hauptstraße', 'Bahnhofstraße', 'Schillerstraße', 'Goethestraße', 'Gartenstraße', 'Lindenstraße', 'Kirchstraße',
      'Bergstraße', 'Schulstraße', 'Friedrichstraße', 'Am Markt', 'Rosenweg', 'Birkenweg', 'Mozartstraße', 'Berliner Straße'],
    format: (street, no) => `${street} ${no}`,
  },
  at: {
    names: ['Mariahilfer Straße', 'Hauptplatz', 'Landstraßer Hauptstraße', 'Herrengasse', 'Schulgasse', 'Kirchengasse',
      'Bahnhofstraße', 'Linzer Straße', 'Grazer Straße', 'Lindengasse', 'Favoritenstraße'],
    format: (street, no) => `${street} ${no}`,
  },
  'ch-de': {
    names: ['Bahnhofstrasse', 'Seestrasse', 'Hauptstrasse', 'Dorfstrasse', 'Kirchgasse', 'Rosenweg', 'Bernstrasse',
      'Zürichstrasse', 'Poststrasse', 'Schulhausstrasse', 'Langstrasse'],
    format: (street, no) => `${street} ${no}`,
  },
  'ch-fr': {
    names: ['Rue du Rhône', 'Avenue de la Gare', 'Rue de Lausanne', 'Chemin des Vignes', 'Rue du Marché',
      'Avenue de Rumine', 'Rue de Carouge', 'Place du Molard'],
    format: (street, no) => `${street} ${no}`,
  },
  'be-fr': {
    names: ['Rue Neuve', 'Avenue Louise', 'Chaussée de Waterloo', 'Rue de la Loi', 'Boulevard Anspach', 'Rue Haute',
      'Avenue de Tervueren', 'Rue des Bouchers', 'Place Saint-Lambert', 'Rue de Namur'],
    format: (street, no) => `${street} ${no}`,
  },
  'be-de': {
    names: ['Aachener Straße', 'Hauptstraße', 'Bergstraße', 'Klosterstraße', 'Kirchstraße'],
    format: (street, no) => `${street} ${no}`,
  },
  lu: {
    names: ['rue de la Gare', 'boulevard Royal', 'avenue de la Liberté', 'rue Aldringen', 'Grand-Rue', "route d'Arlon",
      'rue de Hollerich', 'avenue John F. Kennedy', 'rue du Fossé', "rue de l'Alzette"],
    format: (street, no) => `${no}, ${street}`,
  },
  gb: {
    names: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road', 'Park Avenue',
      'Queen Street', 'King Street', 'Mill Lane', 'Baker Street', 'The Crescent', 'Albert Road', 'Oxford Road'],
    format: (street, no) => `${no} ${street}`,
  },
};

const ADDITIONAL: Readonly<Record<Language, readonly string[]>> = {
  fr: ['Bâtiment B', 'Appartement 12', 'Résidence Les Cèdres', 'Escalier 3', '2e étage'],
  de: ['2. OG', 'Hinterhaus', 'Aufgang B', 'Whg. 7', 'c/o Hausverwaltung'],
  en: ['Flat 3', 'Flat 12', 'Apartment 4B', 'Unit 7', 'Suite 200'],
};

function streetStyle(country: CountryCode, language: Language): string {
  switch (country) {
    case 'FR': return 'fr';
    case 'DE': return 'de';
    case 'AT': return 'at';
    case 'GB': return 'gb';
    case 'LU': return 'lu';
    case 'CH': return language === 'fr' ? 'ch-fr' : 'ch-de';
    case 'BE': return language === 'de' ? 'be-de' : 'be-fr';
  }
}

function expandCodes(codes: string): readonly string[] {
  const out: string[] = [];
  for (const part of codes.split(',')) {
    const range = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(part);
    if (!range) {
      out.push(part);
      continue;
    }
    const step = Number(range[3] ?? 1);
    for (let n = Number(range[1]); n <= Number(range[2]); n += step) out.push(String(n).padStart(range[1].length, '0'));
  }
  return out;
}

/** GB inward code letters: Royal Mail never uses C, I, K, M, O or V there. */
/** The table with its codes expanded once, so generating an address stays cheap. */
const CITIES: Readonly<Partial<Record<Region, readonly { readonly town: string; readonly postcodes: readonly string[] }[]>>> =
  Object.fromEntries(
    Object.entries(CITY_TABLE).map(([region, cities]) => [region, cities.map((c) => ({ town: c.town, postcodes: expandCodes(c.codes) }))]),
  );

const INWARD_LETTERS = [...'ABDEFGHJLNPQRSTUWXYZ'];

/** An address as a local would write it: street style, house number, real town and postal code. */
export function randomAddress(rng: RandomSource, country: CountryCode, language: Language): CrmAddress {
  const cities = CITIES[`${country}-${country === 'LU' ? 'fr' : language}` as Region] ?? CITIES[`${country}-fr` as Region]!;
  const city = rng.pick(cities);
  let postcode = rng.pick(city.postcodes);
  if (country === 'GB') postcode = `${postcode} ${rng.int(1, 9)}${rng.pick(INWARD_LETTERS)}${rng.pick(INWARD_LETTERS)}`;
  if (country === 'LU') postcode = `L-${postcode}`;
  const style = STREETS[streetStyle(country, language)];
  let houseNo = String(rng.chance(0.7) ? rng.int(1, 60) : rng.int(61, 240));
  if (country === 'AT' && rng.chance(0.4)) houseNo += `/${rng.int(1, 4)}/${rng.int(1, 24)}`;
  else if (rng.chance(0.06)) houseNo += country === 'FR' || country === 'LU' ? ' bis' : rng.pick(['a', 'b']);
  return {
    street: style.format(rng.pick(style.names), houseNo),
    additional: rng.chance(0.12) ? rng.pick(ADDITIONAL[language]) : null,
    postcode,
    town: city.town,
    countryCode: country,
  };
}

/** A mobile number in E.164 from the ranges the country's numbering plan gives to mobile networks. */
export function randomMobile(rng: RandomSource, country: CountryCode): string {
  switch (country) {
    case 'FR': return `+33${rng.pick(['6', '7'])}${rng.digits(8)}`;
    case 'DE': {
      const prefix = rng.pick(['151', '152', '157', '159', '160', '162', '163', '170', '171', '172', '173', '175', '176', '177', '178', '179']);
      return `+49${prefix}${rng.digits(prefix[1] === '5' ? 8 : rng.pick([7, 8]))}`;
    }
    case 'CH': return `+417${rng.int(5, 9)}${rng.digits(7)}`;
    case 'BE': return `+324${rng.int(7, 9)}${rng.digits(7)}`;
    case 'AT': return `+436${rng.pick(['50', '60', '64', '76', '80', '81', '88', '99'])}${rng.digits(7)}`;
    case 'GB': return `+447${rng.int(4, 9)}${rng.digits(8)}`;
    case 'LU': return `+352${rng.pick(['621', '628', '661', '671', '691'])}${rng.digits(6)}`;
  }
}
