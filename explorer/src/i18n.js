// The page's own words in Swedish and English. Data labels (area types, indicators, names)
// come from the API in the chosen language; only the page's chrome is here.

const WORDS = {
  sv: {
    title: 'Segregationsstatistik – utforska',
    subtitle: 'Områdestyper och indikatorer per RegSO, byggt på det öppna API:t',
    other_lang: 'English',
    year: 'År',
    colour_by: 'Färglägg efter',
    area_type: 'Områdestyp',
    search: 'Sök kommun',
    search_placeholder: 't.ex. Malmo, Goteborg',
    no_matches: 'Ingen kommun matchar',
    legend: 'Teckenförklaring',
    no_data: 'Uppgift saknas',
    no_values_year: 'Inga värden för detta år',
    classes_note: 'Kvantiler (fem klasser) över alla RegSO detta år',
    municipality: 'Kommun',
    county: 'Län',
    area_type_history: 'Områdestyp per år',
    latest_values: 'Senaste värden',
    no_indicator_values: 'Inga indikatorvärden för området',
    json_link: 'Öppna som JSON',
    download_view: 'Ladda ner vyn',
    download_csv: 'Kommunens RegSO som CSV (Excel)',
    download_geojson: 'Kommunens RegSO som GeoJSON',
    download_all: 'Hela datamängden (filer)',
    regso_by_type: 'RegSO per områdestyp',
    regso_count: 'Antal RegSO',
    inequality: 'Ojämlikhetsindex',
    population: 'Folkmängd',
    no_summary_year: 'Ingen sammanställning för detta år',
    api_calls: 'API-anrop bakom vyn',
    copy: 'Kopiera',
    copied: 'Kopierat',
    close: 'Stäng',
    data_version: 'dataversion',
    synthetic: 'Syntetiska data: genererade för test, inte SCB:s statistik',
    click_hint: 'Klicka på ett område för att se dess profil.',
    map_view: 'Kartan',
    loading: 'Hämtar …',
    failed: 'Kunde inte hämta data',
    year_col: 'År',
    official: 'officiell',
    computed: 'beräknad',
  },
  en: {
    title: 'Segregation statistics – explorer',
    subtitle: 'Area types and indicators per RegSO, built on the open API',
    other_lang: 'Svenska',
    year: 'Year',
    colour_by: 'Colour by',
    area_type: 'Area type',
    search: 'Find a municipality',
    search_placeholder: 'e.g. Malmo, Goteborg',
    no_matches: 'No municipality matches',
    legend: 'Legend',
    no_data: 'No data',
    no_values_year: 'No values for this year',
    classes_note: 'Quantiles (five classes) over all RegSO this year',
    municipality: 'Municipality',
    county: 'County',
    area_type_history: 'Area type by year',
    latest_values: 'Latest values',
    no_indicator_values: 'No indicator values for this area',
    json_link: 'Open as JSON',
    download_view: 'Download this view',
    download_csv: "The municipality's RegSO as CSV (Excel)",
    download_geojson: "The municipality's RegSO as GeoJSON",
    download_all: 'The whole dataset (files)',
    regso_by_type: 'RegSO by area type',
    regso_count: 'Number of RegSO',
    inequality: 'Inequality index',
    population: 'Population',
    no_summary_year: 'No summary for this year',
    api_calls: 'API calls behind this view',
    copy: 'Copy',
    copied: 'Copied',
    close: 'Close',
    data_version: 'data version',
    synthetic: 'Synthetic data: generated for testing, not statistics from SCB',
    click_hint: 'Click an area to see its profile.',
    map_view: 'The map',
    loading: 'Loading …',
    failed: 'Could not fetch data',
    year_col: 'Year',
    official: 'official',
    computed: 'computed',
  },
};

export const LANGS = Object.keys(WORDS);

/** The translator for `lang`: t('key') gives the word, the key itself when it is missing. */
export function translator(lang) {
  const words = WORDS[lang] ?? WORDS.sv;
  return (key) => words[key] ?? key;
}

/** Folds case and accents so that "malmo" finds "Malmö" in local lists too. */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
