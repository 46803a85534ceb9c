/**
 * The demo's sample database: a small shop with personal data in it, so that grants on
 * schemas mean something. Everything is made up and deterministic (the same rows on every
 * run): e-mail addresses use example.com/example.org (RFC 2606) and phone numbers the
 * 555-01xx block set aside for fiction.
 *
 * - sales:   customers (name, email, phone: personal data), products, orders
 * - staging: customer_import (a copy of customer rows being cleaned up), price_changes
 * - hr:      employees (salaries) — granted to nobody in the demo
 */

export interface SampleTable {
  schema: string;
  name: string;
  rows: number;
  /** Columns that hold personal data. */
  personal: string[];
}

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Lars', 'Maya', 'Nils', 'Olga'];
const LAST = ['Nakamura', 'Okafor', 'Larsen', 'Moreau', 'Silva', 'Kowalski', 'Haddad', 'Fischer', 'Rossi', 'Novak'];
const CITIES: [string, string][] = [
  ['Lisbon', 'PT'], ['Berlin', 'DE'], ['Lyon', 'FR'], ['Oslo', 'NO'], ['Krakow', 'PL'],
  ['Porto', 'PT'], ['Vienna', 'AT'], ['Turin', 'IT'], ['Ghent', 'BE'], ['Aarhus', 'DK'],
];
const PRODUCTS: [string, string, number][] = [
  ['TEA-001', 'Green tea, 100 g', 6.5], ['TEA-002', 'Black tea, 250 g', 9.9], ['MUG-010', 'Stoneware mug', 14],
  ['POT-020', 'Cast-iron teapot', 59], ['KET-030', 'Gooseneck kettle', 79], ['STR-040', 'Steel strainer', 7.25],
  ['SET-050', 'Tasting set', 34], ['BOX-060', 'Gift box', 22.5], ['SCL-070', 'Kitchen scale', 19.9], ['TIN-080', 'Storage tin', 11],
];
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned'];

export const SAMPLE_COUNTS = { customers: 30, products: PRODUCTS.length, orders: 60, customer_import: 12, price_changes: 6, employees: 12 };

export const SAMPLE_TABLES: SampleTable[] = [
  { schema: 'sales', name: 'customers', rows: SAMPLE_COUNTS.customers, personal: ['name', 'email', 'phone'] },
  { schema: 'sales', name: 'products', rows: SAMPLE_COUNTS.products, personal: [] },
  { schema: 'sales', name: 'orders', rows: SAMPLE_COUNTS.orders, personal: [] },
  { schema: 'staging', name: 'customer_import', rows: SAMPLE_COUNTS.customer_import, personal: ['name', 'email', 'phone'] },
  { schema: 'staging', name: 'price_changes', rows: SAMPLE_COUNTS.price_changes, personal: [] },
  { schema: 'hr', name: 'employees', rows: SAMPLE_COUNTS.employees, personal: ['name', 'email', 'salary'] },
];

/** A SQL literal. The values are ours, but quoting them properly costs nothing. */
const lit = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const values = (rows: (string | number | null)[][]) => rows.map((r) => `  (${r.map(lit).join(', ')})`).join(',\n');

function person(i: number) {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7 + 3) % LAST.length]!;
  return { name: `${first} ${last}`, email: `${first}.${last}${i}@example.com`.toLowerCase() };
}

const day = (i: number) => new Date(Date.UTC(2026, 0, 5) + i * 86_400_000 * 1.7).toISOString();
const phone = (i: number) => `+1 555-01${String(i % 100).padStart(2, '0')}`;

function customers(): (string | number | null)[][] {
  return Array.from({ length: SAMPLE_COUNTS.customers }, (_, k) => {
    const id = k + 1;
    const { name, email } = person(k);
    const [city, country] = CITIES[k % CITIES.length]!;
    return [id, name, email, phone(k), city, country, day(k)];
  });
}

function orders(): (string | number | null)[][] {
  return Array.from({ length: SAMPLE_COUNTS.orders }, (_, k) => {
    const product = (k * 3) % PRODUCTS.length;
    const quantity = 1 + (k % 4);
    const total = Math.round(PRODUCTS[product]![2] * quantity * 100) / 100;
    return [1001 + k, 1 + ((k * 11) % SAMPLE_COUNTS.customers), product + 1, quantity, total, STATUSES[k % STATUSES.length]!, day(k + 10)];
  });
}

function customerImport(): (string | number | null)[][] {
  // Rows as an upstream CRM export would deliver them: some duplicates of sales.customers,
  // some messy (upper-case e-mail, no phone), waiting to be cleaned and merged.
  return Array.from({ length: SAMPLE_COUNTS.customer_import }, (_, k) => {
    const { name, email } = person(k * 2 + 40);
    const messy = k % 3 === 0;
    return [k + 1, name, messy ? email.toUpperCase() : email, k % 4 === 1 ? null : phone(k + 50), k % 2 === 0 ? 'crm-export' : 'web-signup', messy ? 'needs_review' : 'pending'];
  });
}

const TITLES: [string, number][] = [
  ['Data Engineer', 72000], ['Analyst', 61000], ['Support Lead', 54000], ['Warehouse Manager', 58000],
  ['Buyer', 52000], ['Designer', 60000], ['Accountant', 63000], ['Head of Sales', 91000],
];

function employees(): (string | number | null)[][] {
  return Array.from({ length: SAMPLE_COUNTS.employees }, (_, k) => {
    const { name } = person(k + 100);
    const [title, base] = TITLES[k % TITLES.length]!;
    const email = `${name.split(' ')[0]!.toLowerCase()}@shop.example.org`;
    return [k + 1, name, email, title, base + (k % 5) * 1500, day(-400 + k * 37).slice(0, 10)];
  });
}

/** The schema and rows, as one SQL script. */
export function sampleSql(): string {
  const priceChanges = PRODUCTS.slice(0, SAMPLE_COUNTS.price_changes).map(([sku, , price], k) => [k + 1, sku, price, Math.round(price * 1.08 * 100) / 100, 'proposed']);
  return `
CREATE SCHEMA sales;
CREATE SCHEMA staging;
CREATE SCHEMA hr;

CREATE TABLE sales.customers (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  phone text,
  city text,
  country char(2),
  created_at timestamptz NOT NULL
);
CREATE TABLE sales.products (
  id integer PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  price numeric(10, 2) NOT NULL
);
CREATE TABLE sales.orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES sales.customers (id),
  product_id integer NOT NULL REFERENCES sales.products (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  total numeric(10, 2) NOT NULL,
  status text NOT NULL,
  ordered_at timestamptz NOT NULL
);
CREATE TABLE staging.customer_import (
  id integer PRIMARY KEY,
  name text,
  email text,
  phone text,
  source text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
);
CREATE TABLE staging.price_changes (
  id integer PRIMARY KEY,
  sku text NOT NULL,
  old_price numeric(10, 2) NOT NULL,
  new_price numeric(10, 2) NOT NULL,
  status text NOT NULL DEFAULT 'proposed'
);
CREATE TABLE hr.employees (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  title text NOT NULL,
  salary numeric(10, 2) NOT NULL,
  hired_on date NOT NULL
);

INSERT INTO sales.customers (id, name, email, phone, city, country, created_at) VALUES
${values(customers())};
INSERT INTO sales.products (id, sku, name, price) VALUES
${values(PRODUCTS.map(([sku, name, price], k) => [k + 1, sku, name, price]))};
INSERT INTO sales.orders (id, customer_id, product_id, quantity, total, status, ordered_at) VALUES
${values(orders())};
INSERT INTO staging.customer_import (id, name, email, phone, source, status) VALUES
${values(customerImport())};
INSERT INTO staging.price_changes (id, sku, old_price, new_price, status) VALUES
${values(priceChanges)};
INSERT INTO hr.employees (id, name, email, title, salary, hired_on) VALUES
${values(employees())};
`;
}
