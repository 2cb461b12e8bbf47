//! Search benchmark (issue 4): indexes generated services and objects with
//! realistic Kazakh and Russian names (deterministic seed), then measures
//! indexing throughput, search latency p50/p95/p99 over a fixed set of
//! queries (exact, typo, prefix, filtered), `similar` latency, index size on
//! disk and peak RSS. Runs on the embedded index, and on Meilisearch too when
//! `MEILISEARCH_URL` is set.
//!
//! `cargo run --release --example search_bench -- [DOCS] [QUERIES]`
//! (defaults 100000 and 1000).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use archportal_storage::search::{
    DocKind, EmbeddedConfig, EmbeddedIndex, MeiliConfig, MeiliIndex, SearchDoc, SearchIndex,
    SearchQuery, SimilarTo,
};

/// SplitMix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const RU_ACTIONS: &[&str] = &[
    "Получение",
    "Предоставление",
    "Регистрация",
    "Выдача",
    "Проверка",
    "Передача",
    "Обмен",
    "Согласование",
    "Учёт",
    "Мониторинг",
    "Формирование",
    "Аннулирование",
    "Продление",
    "Приостановление",
    "Актуализация",
    "Сверка",
    "Оплата",
    "Уведомление",
];
const RU_OBJECTS: &[&str] = &[
    "сведений",
    "справки",
    "данных",
    "лицензии",
    "разрешения",
    "уведомления",
    "декларации",
    "платежа",
    "выписки",
    "удостоверения",
    "сертификата",
    "заявления",
    "решения",
    "реестра",
    "отчёта",
    "документов",
    "пособия",
    "квоты",
];
const RU_DOMAINS: &[&str] = &[
    "о физическом лице",
    "о юридическом лице",
    "о недвижимости",
    "о транспортном средстве",
    "об образовании",
    "о налоговой задолженности",
    "о пенсионных отчислениях",
    "о земельном участке",
    "о медицинском страховании",
    "о браке",
    "о рождении",
    "о месте жительства",
    "о судимости",
    "о трудовой деятельности",
    "о субсидиях",
    "о таможенной декларации",
    "об электронной цифровой подписи",
    "о государственных закупках",
];
const RU_SOURCES: &[&str] = &[
    "ГБД ФЛ",
    "ГБД ЮЛ",
    "ГБД РН",
    "МВД",
    "МЮ",
    "КГД МФ",
    "ЕНПФ",
    "ФСМС",
    "МОН",
    "МТСЗН",
    "ЦОН",
    "ПЭП",
    "ИС ЕНИС",
    "АИС ГЗК",
    "ИС Е-лицензирование",
    "ИС КЦМР",
];
const KK_DOMAINS: &[&str] = &[
    "жеке тұлға туралы",
    "заңды тұлға туралы",
    "жылжымайтын мүлік туралы",
    "көлік құралы туралы",
    "білім туралы",
    "салық берешегі туралы",
    "зейнетақы жарналары туралы",
    "жер учаскесі туралы",
    "медициналық сақтандыру туралы",
    "неке туралы",
    "туу туралы",
    "тұрғылықты жері туралы",
    "соттылық туралы",
    "еңбек қызметі туралы",
    "субсидиялар туралы",
    "кедендік декларация туралы",
    "электрондық цифрлық қолтаңба туралы",
    "мемлекеттік сатып алу туралы",
];
const KK_ACTIONS: &[&str] = &[
    "мәліметтер алу",
    "анықтама беру",
    "тіркеу",
    "лицензия беру",
    "рұқсат беру",
    "хабарлама жіберу",
    "декларация тапсыру",
    "төлем жасау",
    "үзінді көшірме алу",
    "куәлік беру",
    "сертификат беру",
    "өтініш қабылдау",
    "шешім қабылдау",
    "тізілімді жүргізу",
    "есеп беру",
    "құжаттар алмасу",
    "жәрдемақы тағайындау",
];
const OBJECT_KINDS: &[&str] = &[
    "Информационная система",
    "Интернет-ресурс",
    "Программный комплекс",
    "Аппаратно-программный комплекс",
    "Портал",
    "Платформа",
];
const OBJECT_KINDS_KK: &[&str] = &[
    "ақпараттық жүйесі",
    "интернет-ресурсы",
    "бағдарламалық кешені",
    "аппараттық-бағдарламалық кешені",
    "порталы",
    "платформасы",
];
const BODY_WORDS: &[&str] = &[
    "система",
    "обеспечивает",
    "автоматизацию",
    "процессов",
    "государственного",
    "органа",
    "электронный",
    "документ",
    "подпись",
    "интеграция",
    "шлюз",
    "электронного",
    "правительства",
    "взаимодействие",
    "запрос",
    "ответ",
    "сервис",
    "формат",
    "XML",
    "JSON",
    "протокол",
    "безопасность",
    "защита",
    "информации",
    "персональных",
    "данных",
    "доступ",
    "пользователь",
    "оператор",
    "администратор",
    "журнал",
    "событий",
    "резервное",
    "копирование",
    "отказоустойчивость",
    "кластер",
    "сервер",
    "база",
    "хранилище",
    "архив",
    "техническое",
    "задание",
    "пояснительная",
    "записка",
    "требования",
    "функциональные",
    "нефункциональные",
    "аттестат",
    "соответствия",
    "испытания",
    "опытная",
    "эксплуатация",
    "промышленная",
    "внедрение",
    "сопровождение",
    "модернизация",
    "жүйе",
    "ақпарат",
    "қауіпсіздік",
    "деректер",
    "қызмет",
    "мемлекеттік",
    "электрондық",
    "үкімет",
    "сұрау",
    "жауап",
    "құжат",
    "қолтаңба",
    "пайдаланушы",
    "мониторинг",
    "отчётность",
    "аналитика",
    "платёжный",
    "налоговый",
    "таможенный",
    "медицинский",
    "образовательный",
    "земельный",
];
const GATEWAYS: &[&str] = &["EGG", "EEGG", "EPG"];
const STATUSES: &[&str] = &["testing", "production", "suspended", "withdrawn"];
const PROTOCOLS: &[&str] = &["SOAP", "REST"];
const STAGES: &[&str] = &["creation", "development", "operation", "decommissioned"];
const REG_STATUSES: &[&str] = &["draft", "submitted", "registered", "rejected"];
const OBJ_KINDS: &[&str] = &[
    "information_system",
    "internet_resource",
    "software",
    "hardware",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| rng.pick(BODY_WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn generate(n: usize, seed: u64) -> Vec<SearchDoc> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let service = i % 3 != 2;
            let action = rng.below(RU_ACTIONS.len());
            let domain = rng.below(RU_DOMAINS.len());
            let object = rng.pick(RU_OBJECTS);
            let source = rng.pick(RU_SOURCES);
            let owner = format!("org-{}", rng.below(300));
            let personal = if rng.below(3) == 0 { "true" } else { "false" };
            let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut put = |k: &str, v: &str| facets.insert(k.to_owned(), vec![v.to_owned()]);
            if service {
                let code = format!("{}_{:06}", source.replace(' ', "_").to_uppercase(), i);
                put("gateway", rng.pick(GATEWAYS));
                put("status", rng.pick(STATUSES));
                put("protocol", rng.pick(PROTOCOLS));
                put("owner", &owner);
                put("personal_data", personal);
                let title_ru = format!(
                    "{} {} {} из {}",
                    RU_ACTIONS[action], object, RU_DOMAINS[domain], source
                );
                let title_kk = format!(
                    "{} {} {}",
                    source,
                    KK_DOMAINS[domain],
                    KK_ACTIONS[action % KK_ACTIONS.len()]
                );
                let description = format!(
                    "Сервис обеспечивает {} {} {}. {}.",
                    RU_ACTIONS[action].to_lowercase(),
                    object,
                    RU_DOMAINS[domain],
                    sentence(&mut rng, 12)
                );
                SearchDoc {
                    id: format!("service:{code}"),
                    kind: DocKind::Service,
                    title_kk,
                    title_ru,
                    title_en: None,
                    short_name: source.to_owned(),
                    code,
                    description,
                    body: String::new(),
                    facets,
                }
            } else {
                let k = rng.below(OBJECT_KINDS.len());
                put("kind", rng.pick(OBJ_KINDS));
                put("stage", rng.pick(STAGES));
                put("registration_status", rng.pick(REG_STATUSES));
                put("owner", &owner);
                put("personal_data", personal);
                let words = 50 + rng.below(150);
                SearchDoc {
                    id: format!("object:{:08x}-0000-4000-8000-{:012x}", i, rng.next() >> 16),
                    kind: DocKind::Object,
                    title_ru: format!(
                        "{} «{} {}»",
                        OBJECT_KINDS[k],
                        RU_ACTIONS[action],
                        RU_DOMAINS[domain].replace("о ", "").replace("об ", "")
                    ),
                    title_kk: format!(
                        "«{} {}» {}",
                        KK_DOMAINS[domain],
                        KK_ACTIONS[action % KK_ACTIONS.len()],
                        OBJECT_KINDS_KK[k]
                    ),
                    title_en: None,
                    short_name: format!("ИС-{}", i % 1000),
                    code: format!("{:02}-{:02}-{:06}", rng.below(20), rng.below(50), i),
                    description: sentence(&mut rng, 20),
                    body: sentence(&mut rng, words),
                    facets,
                }
            }
        })
        .collect()
}

/// The fixed query mix: 40% exact words, 20% with one typo, 20% prefixes,
/// 20% exact words of services with a gateway filter and facet counts.
fn queries(docs: &[SearchDoc], n: usize, seed: u64) -> Vec<(&'static str, SearchQuery)> {
    let mut rng = Rng(seed);
    let word_of = |rng: &mut Rng, service_only: bool| -> String {
        let mut d = &docs[rng.below(docs.len())];
        while service_only && d.kind != DocKind::Service {
            d = &docs[rng.below(docs.len())];
        }
        let words: Vec<&str> = d
            .title_ru
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 6)
            .collect();
        if words.is_empty() {
            "сведений".to_owned()
        } else {
            words[rng.below(words.len())].to_owned()
        }
    };
    (0..n)
        .map(|i| match i % 5 {
            0 | 1 => {
                let q = format!("{} {} ", word_of(&mut rng, false), word_of(&mut rng, false));
                ("exact", SearchQuery::text(q))
            }
            2 => {
                let mut chars: Vec<char> = word_of(&mut rng, false).chars().collect();
                let at = 1 + rng.below(chars.len() - 2);
                chars[at] = if chars[at] == 'а' { 'о' } else { 'а' };
                (
                    "typo",
                    SearchQuery::text(chars.into_iter().collect::<String>() + " "),
                )
            }
            3 => {
                let w = word_of(&mut rng, false);
                let len = 4 + rng.below(3);
                (
                    "prefix",
                    SearchQuery::text(w.chars().take(len).collect::<String>()),
                )
            }
            _ => {
                let mut q = SearchQuery::text(format!("{} ", word_of(&mut rng, true)))
                    .filter("gateway", rng.pick(GATEWAYS));
                q.facets = vec!["status".into(), "personal_data".into()];
                ("filtered", q)
            }
        })
        .collect()
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(
    name: &str,
    index: Arc<dyn SearchIndex>,
    docs: &[SearchDoc],
    qs: &[(&str, SearchQuery)],
    dir: Option<&Path>,
) {
    index.clear().await.expect("clear");
    let started = Instant::now();
    for batch in docs.chunks(5_000) {
        index.upsert(batch.to_vec()).await.expect("upsert");
    }
    let took = started.elapsed();
    println!(
        "[{name}] indexed {} docs in {:.1} s: {:.0} docs/s",
        docs.len(),
        took.as_secs_f64(),
        docs.len() as f64 / took.as_secs_f64()
    );
    assert_eq!(index.count().await.expect("count"), docs.len() as u64);
    if let Some(dir) = dir {
        println!(
            "[{name}] index size on disk: {:.1} MiB",
            dir_size(dir) as f64 / 1048576.0
        );
    }
    // One warm-up pass over a tenth of the queries.
    for (_, q) in qs.iter().take(qs.len() / 10) {
        index.search(q).await.expect("search");
    }
    let mut all = Vec::with_capacity(qs.len());
    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut empty = 0;
    for (kind, q) in qs {
        let t = Instant::now();
        let r = index.search(q).await.expect("search");
        let d = t.elapsed();
        if r.total == 0 {
            empty += 1;
            if std::env::var_os("BENCH_SHOW_EMPTY").is_some() {
                println!("[{name}] no hits: {kind} {:?}", q.text);
            }
        }
        all.push(d);
        by_kind.entry(kind).or_default().push(d);
    }
    all.sort();
    println!(
        "[{name}] search over {} queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} without hits)",
        all.len(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        empty
    );
    for (kind, mut v) in by_kind {
        v.sort();
        println!(
            "[{name}]   {kind:<8} n={:<4} p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            v.len(),
            ms(percentile(&v, 0.50)),
            ms(percentile(&v, 0.95)),
            ms(percentile(&v, 0.99))
        );
    }
    let mut sims = Vec::new();
    for d in docs.iter().step_by((docs.len() / 100).max(1)).take(100) {
        let t = Instant::now();
        index
            .similar(SimilarTo::Id(d.id.clone()), &[DocKind::Service], 10)
            .await
            .expect("similar");
        sims.push(t.elapsed());
    }
    sims.sort();
    println!(
        "[{name}] similar by id over {} docs: p50 {:.2} ms, p95 {:.2} ms",
        sims.len(),
        ms(percentile(&sims, 0.50)),
        ms(percentile(&sims, 0.95))
    );
    println!("[{name}] peak RSS so far: {:.0} MiB", peak_rss_mib());
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let nq: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let docs = generate(n, 42);
    let qs = queries(&docs, nq, 7);
    let text_mib = docs
        .iter()
        .map(|d| d.title_ru.len() + d.title_kk.len() + d.description.len() + d.body.len())
        .sum::<usize>() as f64
        / 1048576.0;
    println!(
        "generated {n} docs ({text_mib:.1} MiB of text), {nq} queries; RSS {:.0} MiB",
        peak_rss_mib()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let config = EmbeddedConfig {
        writer_threads: 2,
        writer_heap_bytes: 256 << 20,
        ..EmbeddedConfig::default()
    };
    let embedded = EmbeddedIndex::open_with(dir.path(), &config).expect("open");
    run("embedded", Arc::new(embedded), &docs, &qs, Some(dir.path())).await;

    match MeiliConfig::from_env() {
        Some(mut config) => {
            config.index_uid = "archportal_bench".into();
            config.task_timeout = Duration::from_secs(1800);
            let meili = MeiliIndex::connect(config).await.expect("connect");
            run("meilisearch", Arc::new(meili), &docs, &qs, None).await;
        }
        None => println!("[meilisearch] skipped: MEILISEARCH_URL is not set"),
    }
}
