// The simulated product catalogue: invented brands and products in a few everyday
// categories, each with the subreddit where people talk about it and the features they
// praise or complain about.
import type { Rng } from './rng';

export interface SimProduct {
  /** ASIN-like: "B0" + 8 upper-case letters/digits. */
  id: string;
  name: string;
  brand: string;
  category: string;
  /** The bare product noun, e.g. "earbuds". */
  noun: string;
  /** Short forms people write instead of the full name. */
  aliases: string[];
  priceUsd: number;
  /** Relative popularity, drives how often organic users mention it. */
  popularity: number;
  /** Launch date for products launched inside the simulated period (organic launch bursts). */
  launchedAt?: Date;
}

export interface CategorySpec {
  name: string;
  subreddit: string;
  nouns: string[];
  features: string[];
  flaws: string[];
  priceRange: [number, number];
}

export const CATEGORIES: CategorySpec[] = [
  {
    name: 'Audio',
    subreddit: 'headphones',
    nouns: ['Earbuds', 'Headphones', 'Soundbar', 'Bluetooth Speaker', 'Turntable'],
    features: ['sound quality', 'noise cancelling', 'battery life', 'bass', 'the fit', 'call quality', 'the app'],
    flaws: ['the left bud keeps disconnecting', 'the case hinge feels flimsy', 'it hisses at low volume', 'pairing is flaky', 'the ear tips fall out'],
    priceRange: [25, 350],
  },
  {
    name: 'Kitchen',
    subreddit: 'Cooking',
    nouns: ['Air Fryer', 'Blender', 'Coffee Grinder', 'Espresso Machine', 'Electric Kettle', 'Rice Cooker'],
    features: ['build quality', 'how fast it heats up', 'easy cleanup', 'the capacity', 'temperature control', 'noise level'],
    flaws: ['the basket coating started peeling', 'it leaks from the base', 'the lid cracked', 'it smells like plastic', 'the timer died'],
    priceRange: [30, 400],
  },
  {
    name: 'Home',
    subreddit: 'HomeImprovement',
    nouns: ['Robot Vacuum', 'Air Purifier', 'Humidifier', 'Smart Plug', 'LED Floodlight', 'Video Doorbell'],
    features: ['suction', 'the mapping', 'setup', 'how quiet it is', 'filter life', 'the app', 'coverage'],
    flaws: ['it gets stuck on rugs', 'the app drops connection daily', 'the filter is overpriced', 'it stopped charging', 'the motor whines'],
    priceRange: [15, 600],
  },
  {
    name: 'Beauty',
    subreddit: 'SkincareAddiction',
    nouns: ['Vitamin C Serum', 'Moisturizer', 'Mineral Sunscreen', 'Hair Dryer', 'Retinol Cream'],
    features: ['the texture', 'absorption', 'no white cast', 'the scent', 'how gentle it is', 'drying time'],
    flaws: ['it broke me out', 'it pills under makeup', 'the pump jammed', 'it oxidised within a month', 'way too much fragrance'],
    priceRange: [12, 180],
  },
  {
    name: 'Fitness',
    subreddit: 'fitness',
    nouns: ['Fitness Tracker', 'Smartwatch', 'Yoga Mat', 'Adjustable Dumbbells', 'Resistance Bands', 'Massage Gun'],
    features: ['heart rate accuracy', 'grip', 'battery life', 'the display', 'sleep tracking', 'durability'],
    flaws: ['the strap snapped', 'GPS drifts badly', 'the surface peels', 'the locking pin sticks', 'it overcounts steps'],
    priceRange: [18, 450],
  },
  {
    name: 'Electronics',
    subreddit: 'gadgets',
    nouns: ['Power Bank', 'USB-C Charger', 'Webcam', 'Mechanical Keyboard', 'Wireless Mouse', 'Portable SSD'],
    features: ['charging speed', 'build quality', 'the size', 'key feel', 'image quality', 'transfer speed'],
    flaws: ['it gets really hot', 'the cable frayed', 'keys started double typing', 'the image is grainy', 'it disconnects randomly'],
    priceRange: [15, 250],
  },
  {
    name: 'Outdoors',
    subreddit: 'CampingGear',
    nouns: ['Camping Lantern', 'Insulated Water Bottle', 'Hiking Backpack', 'Sleeping Pad', 'Camp Stove'],
    features: ['weight', 'how warm it keeps drinks', 'comfort', 'brightness', 'pack size', 'the zippers'],
    flaws: ['the valve leaks', 'a seam split on day two', 'the lid rusted', 'it deflates overnight', 'the igniter failed'],
    priceRange: [15, 300],
  },
  {
    name: 'Pets',
    subreddit: 'dogs',
    nouns: ['Orthopedic Dog Bed', 'Cat Water Fountain', 'Pet Camera', 'Automatic Feeder', 'No-Pull Harness'],
    features: ['how sturdy it is', 'how easy it is to clean', 'the app', 'the fit', 'how much my dog loves it'],
    flaws: ['the pump got loud after a week', 'my dog chewed through it in a day', 'the feeder jams', 'the stitching came apart', 'the camera drops offline'],
    priceRange: [15, 200],
  },
];

/** Subreddits that are not tied to a category. */
export const GENERAL_SUBREDDITS = ['BuyItForLife', 'deals', 'amazonreviews'];

const BRAND_HEADS = ['Aura', 'Brev', 'Kest', 'Zent', 'Nov', 'Lum', 'Volt', 'Pur', 'Trek', 'Hom', 'Quill', 'Sol', 'Vex', 'Ori', 'Mav', 'Nim', 'Pax', 'Tal', 'Ember', 'Cor', 'Lyn', 'Fjor', 'Hal', 'Juno', 'Kai'];
const BRAND_TAILS = ['lux', 'io', 'ra', 'tro', 'aq', 'era', 'tis', 'eva', 'ka', 'ely', 'on', 'ix', 'ara', 'wick', 'ly', 'ton', 'ora', 'go'];
const MODEL_WORDS = ['Pro', 'Max', 'Air', 'Lite', 'Plus', 'Go', 'Ultra', 'Mini', 'One', 'Neo', 'Prime', 'Flex'];

export function productId(rng: Rng): string {
  return `B0${rng.alnum(8)}`;
}

function brandName(rng: Rng, used: Set<string>): string {
  for (;;) {
    const b = rng.pick(BRAND_HEADS) + rng.pick(BRAND_TAILS);
    if (!used.has(b)) {
      used.add(b);
      return b;
    }
  }
}

/** Builds `count` products spread over the categories; names and ids are unique. */
export function generateCatalogue(rng: Rng, count: number): SimProduct[] {
  const brandCount = Math.max(8, Math.round(count / 4));
  const usedBrands = new Set<string>();
  const brands = Array.from({ length: brandCount }, () => brandName(rng, usedBrands));
  const ids = new Set<string>();
  const names = new Set<string>();
  const products: SimProduct[] = [];
  for (let i = 0; i < count; i++) {
    const cat = CATEGORIES[i % CATEGORIES.length];
    let name = '';
    let brand = '';
    let noun = '';
    let model = '';
    do {
      brand = rng.pick(brands);
      noun = rng.pick(cat.nouns);
      model = rng.chance(0.5) ? `${rng.pick(MODEL_WORDS)} ${rng.alnum(1, 'ABCDEFGHKMRSTVXZ')}${rng.int(1, 9)}` : `${rng.alnum(1, 'ABCDEFGHKMRSTVXZ')}${rng.int(2, 9)}${rng.int(0, 9)}${rng.chance(0.5) ? '0' : ''}`;
      name = `${brand} ${model} ${noun}`;
    } while (names.has(name));
    names.add(name);
    let id = productId(rng);
    while (ids.has(id)) id = productId(rng);
    ids.add(id);
    const lastModelPart = model.split(' ').pop() as string;
    products.push({
      id,
      name,
      brand,
      category: cat.name,
      noun: noun.toLowerCase(),
      aliases: [`${brand} ${model}`, `${brand} ${lastModelPart}`, `${lastModelPart} ${noun.toLowerCase()}`],
      priceUsd: Math.round(rng.float(cat.priceRange[0], cat.priceRange[1])) - 0.01,
      // Zipf-like: a few products get most of the talk.
      popularity: 1 / (1 + rng.int(0, count - 1)) ** 0.8,
    });
  }
  return products;
}

export function categorySpec(name: string): CategorySpec {
  const spec = CATEGORIES.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown category ${name}`);
  return spec;
}
