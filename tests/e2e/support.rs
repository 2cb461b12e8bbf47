//! `TestApp`: starts the server on port 0 with a fresh database and offers
//! GraphQL helpers. `both!` runs a scenario on SQLite and on PostgreSQL.

use std::path::PathBuf;

use archportal_api::config::Config;
use archportal_domain::document::{DocumentKind, required_kinds};
use archportal_domain::docx::testing::minimal_docx;
use archportal_domain::object::LifeCycleStage;
use archportal_domain::pdfa::testing::minimal_pdfa1b;
use reqwest::multipart::{Form, Part};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests create their databases on.
fn pg_admin_url() -> String {
    std::env::var("PG_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A running server with its own database and data directory.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub config: Config,
    server: Option<archportal_api::Server>,
    pg_database: Option<String>,
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("archportal-test-{id}"));
        let mut config = Config {
            data_dir: data_dir.clone(),
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        };
        config.frontend_dir = data_dir.join("no-frontend");
        let mut pg_database = None;
        if backend == Backend::Postgres {
            // The creation time in the name lets `make pg-clean` drop only
            // databases left by runs that died hours ago, never a live one.
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let name = format!("archportal_test_{secs}_{id}");
            let admin = sea_orm::Database::connect(pg_admin_url())
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL at {} is required for the PostgreSQL run: {e}",
                        pg_admin_url()
                    )
                });
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let base = pg_admin_url();
            let server_part = base.rsplit_once('/').map_or(base.as_str(), |(s, _)| s);
            config.database_url = Some(format!("{server_part}/{name}"));
            pg_database = Some(name);
        }
        tweak(&mut config);
        let server = archportal_api::serve(config.clone()).await.unwrap();
        TestApp {
            base: format!("http://{}", server.addr),
            client: reqwest::Client::new(),
            data_dir,
            config,
            server: Some(server),
            pg_database,
        }
    }

    /// A second server process on this app's database (its own data
    /// directory, signing key and mail outbox directory), as when several
    /// `archportal serve` run behind a load balancer. Finish it before
    /// `self`: only `self` drops the database.
    pub async fn spawn_sharing(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let data_dir = std::env::temp_dir().join(format!("archportal-test-{id}"));
        let mut config = self.config.clone();
        config.database_url = Some(self.config.database_url());
        config.data_dir = data_dir.clone();
        config.frontend_dir = data_dir.join("no-frontend");
        config.documents.blob_dir = None;
        tweak(&mut config);
        let server = archportal_api::serve(config.clone()).await.unwrap();
        TestApp {
            base: format!("http://{}", server.addr),
            client: reqwest::Client::new(),
            data_dir,
            config,
            server: Some(server),
            pg_database: None,
        }
    }

    /// The server's shared state (clock, database, blob store).
    pub fn state(&self) -> &std::sync::Arc<archportal_api::AppState> {
        self.server.as_ref().unwrap().state()
    }

    /// Stops the server and removes its database and files.
    pub async fn finish(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.unwrap();
        }
        if let Some(name) = self.pg_database.take() {
            let admin = sea_orm::Database::connect(pg_admin_url()).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            admin.close().await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }

    /// SQL statements the server has run so far.
    pub fn db_statements(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |s| s.state().db.stats().statements())
    }

    /// Posts a GraphQL request; returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_request(token, query, variables)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Posts like [`TestApp::gql`] from a task of its own, so that the
    /// caller can go on while the request waits (for a turn, a lock).
    pub fn spawn_gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> tokio::task::JoinHandle<Value> {
        let request = self.gql_request(token, query, variables);
        tokio::spawn(async move { request.send().await.unwrap().json().await.unwrap() })
    }

    fn gql_request(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::RequestBuilder {
        let req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Posts and insists on success; returns `data`.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Creates a user directly through the CLI's library function and signs in.
    pub async fn bootstrap(
        &self,
        email: &str,
        role: &str,
        organization_bin: Option<&str>,
    ) -> String {
        archportal_api::cli::admin_create(
            self.config.clone(),
            email,
            role,
            organization_bin,
            None,
            "ru",
            PASSWORD.to_owned(),
        )
        .await
        .unwrap();
        self.login(email).await
    }

    pub async fn login(&self, email: &str) -> String {
        let data = self
            .ok(None, "mutation($e:String!,$p:String!){ login(input:{email:$e,password:$p}){ accessToken } }", json!({"e": email, "p": PASSWORD}))
            .await;
        data["login"]["accessToken"].as_str().unwrap().to_owned()
    }

    /// An anonymous account request in Kazakh (Айгерим Сапарова,
    /// `a.saparova@mdai.gov.kz`): mail for the applicant and each integrator.
    pub async fn request_account_kk(&self) {
        self.ok(
            None,
            "mutation($i:RequestAccountInput!){ requestAccount(input:$i){ accountRequest { id } } }",
            json!({"i": {"bin": bin("24014000002"), "organizationNameKk": "Цифрлық даму министрлігі",
                "organizationNameRu": "Министерство цифрового развития", "organizationKind": "STATE_BODY",
                "fullName": "Айгерим Сапарова", "position": "Главный эксперт", "email": "a.saparova@mdai.gov.kz",
                "phone": "+7 (7172) 74-00-00", "basis": "Приказ № 1 от 01.03.2025", "language": "KK"}}),
        )
        .await;
    }

    /// Creates an organization as `admin`; returns its id.
    pub async fn create_org(&self, admin: &str, bin: &str, name: &str) -> String {
        let data = self
            .ok(
                Some(admin),
                "mutation($i:CreateOrganizationInput!){ createOrganization(input:$i){ organization { id } } }",
                json!({"i": {"bin": bin, "nameKk": format!("{name} (kk)"), "nameRu": name, "kind": "STATE_BODY"}}),
            )
            .await;
        data["createOrganization"]["organization"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a user as `admin` and signs in as that user.
    pub async fn create_user(
        &self,
        admin: &str,
        email: &str,
        role: &str,
        org: Option<&str>,
    ) -> String {
        self.ok(
            Some(admin),
            "mutation($i:CreateUserInput!){ createUser(input:$i){ user { id } } }",
            json!({"i": {"email": email, "fullName": email, "role": role, "organizationId": org, "password": PASSWORD}}),
        )
        .await;
        self.login(email).await
    }

    /// `n` (at most 3) organizations, "Ведомство 0", "Ведомство 1", …, each
    /// with an owner `owner{i}@gov.kz`: their ids and the owners' tokens.
    pub async fn orgs_with_owners(&self, admin: &str, n: usize) -> (Vec<String>, Vec<String>) {
        let mut orgs = vec![];
        let mut owners = vec![];
        for (i, head) in ["24014000001", "24014000004", "24024000007"]
            .iter()
            .take(n)
            .enumerate()
        {
            let org = self
                .create_org(admin, &bin(head), &format!("Ведомство {i}"))
                .await;
            owners.push(
                self.create_user(admin, &format!("owner{i}@gov.kz"), "OWNER", Some(&org))
                    .await,
            );
            orgs.push(org);
        }
        (orgs, owners)
    }

    /// Creates an object as `owner`; returns its id.
    pub async fn create_object(&self, owner: &str, short: &str) -> String {
        let data = self
            .ok(
                Some(owner),
                "mutation($i:CreateInformatizationObjectInput!){ createInformatizationObject(input:$i){ informatizationObject { id } } }",
                json!({"i": {
                    "kind": "INFORMATION_SYSTEM",
                    "nameKk": format!("{short} ақпараттық жүйесі"),
                    "nameRu": format!("Информационная система {short}"),
                    "shortName": short,
                    "purpose": "Мемлекеттік қызметтерді автоматтандыру",
                }}),
            )
            .await;
        data["createInformatizationObject"]["informatizationObject"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl TestApp {
    /// Uploads a conforming PDF/A-1 + DOCX pair of `kind` for `object` as
    /// `owner` (fixtures generated by the domain's test writers); returns the
    /// HTTP status and the JSON body.
    pub async fn upload_pair(
        &self,
        owner: &str,
        object: &str,
        kind: DocumentKind,
    ) -> (reqwest::StatusCode, Value) {
        let text = format!("{}\nТехническая документация", kind.code());
        self.upload_files(
            owner,
            object,
            kind,
            minimal_pdfa1b(&text),
            minimal_docx(&[kind.code(), "Техническая документация"]),
        )
        .await
    }

    /// Uploads the given PDF and DOCX bytes as the pair of `kind`.
    pub async fn upload_files(
        &self,
        owner: &str,
        object: &str,
        kind: DocumentKind,
        pdf: Vec<u8>,
        docx: Vec<u8>,
    ) -> (reqwest::StatusCode, Value) {
        let form = Form::new()
            .part(
                "pdf",
                Part::bytes(pdf).file_name(format!("{}.pdf", kind.code())),
            )
            .part(
                "docx",
                Part::bytes(docx).file_name(format!("{}.docx", kind.code())),
            );
        let res = self
            .client
            .post(format!(
                "{}/api/objects/{object}/documents/{}",
                self.base,
                kind.code()
            ))
            .bearer_auth(owner)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    /// The token of the activation link mailed to `email` (read from the
    /// outbox directory the dispatcher writes `.eml` files to).
    pub async fn activation_token(&self, email: &str) -> String {
        const LINK: &str = "/activate?token=";
        let dir = self.data_dir.join("outbox");
        let started = std::time::Instant::now();
        loop {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if let Ok(text) = std::fs::read_to_string(e.path())
                    && text.contains(email)
                    && let Some(rest) = text.split(LINK).nth(1)
                    && let Some(token) = rest.split_whitespace().next()
                {
                    return token.to_owned();
                }
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "no activation mail to {email} in {}",
                dir.display()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Uploads a conforming pair of every kind `required_kinds(stage)` names
    /// (003 Annex 1 as data), except those in `skip`.
    pub async fn upload_required(
        &self,
        owner: &str,
        object: &str,
        stage: LifeCycleStage,
        skip: &[DocumentKind],
    ) {
        for kind in required_kinds(stage) {
            if skip.contains(kind) {
                continue;
            }
            let (status, body) = self.upload_pair(owner, object, *kind).await;
            assert!(status.is_success(), "{kind:?}: {status} {body:#}");
        }
    }
}

/// The `extensions.code` of the first error.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}

/// Checks that `object_counts` (kept by triggers) holds, for every
/// organization with objects, exactly its live and archived objects, and no
/// row with counts for an organization that has none. Returns the
/// per-organization figures, `(organization, live, archived)`.
pub async fn assert_object_counts_consistent(
    c: &impl sea_orm::ConnectionTrait,
) -> std::collections::BTreeMap<String, (i64, i64)> {
    use sea_orm::Statement;
    let b = c.get_database_backend();
    // The ids are compared as text whatever their storage (uuid or blob).
    let id = if b == sea_orm::DbBackend::Postgres {
        "organization_id::text"
    } else {
        "hex(organization_id)"
    };
    let read = |sql: String| async move {
        c.query_all_raw(Statement::from_string(b, sql))
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.try_get::<String>("", "o").unwrap(),
                    (
                        r.try_get::<i64>("", "live").unwrap(),
                        r.try_get::<i64>("", "archived").unwrap(),
                    ),
                )
            })
            .filter(|(_, n)| *n != (0, 0))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let kept = read(format!(
        "SELECT {id} AS o, live, archived FROM object_counts"
    ))
    .await;
    let counted = read(format!(
        "SELECT {id} AS o, live, archived FROM ({}) c",
        archportal_migrations::OBJECT_COUNTS_RECOUNT
    ))
    .await;
    assert_eq!(
        kept, counted,
        "object_counts against the objects themselves"
    );
    kept
}

/// Every field of an informatization object that its stored row carries.
const OBJECT_ROW_FIELDS: &str = "id organization { id } kind nameKk nameRu shortName purpose
    stage stageStartedOn registrationStatus accountingCode registeredAt
    registeredData { field value } changeSet { field from to } updateDueAt updateOverdue
    updateRemarks { field documentKind text } containsPersonalData exclusion version archived
    archivedAt createdBy { id } createdAt updatedAt";

/// Checks that object `id` reads the same in a list (which selects its
/// columns by position) as fetched alone (which reads the whole row by
/// column name), field by field, as `token` sees it. Returns the object.
pub async fn assert_listed_like_fetched(app: &TestApp, token: &str, id: &str) -> Value {
    let alone = app
        .ok(
            Some(token),
            &format!("query($id:ID!){{ informatizationObject(id:$id){{ {OBJECT_ROW_FIELDS} }} }}"),
            json!({"id": id}),
        )
        .await["informatizationObject"]
        .clone();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .ok(
                Some(token),
                &format!(
                    "query($a:String){{ informatizationObjects(first:100, after:$a, filter:{{includeArchived:true}}) {{
                        edges {{ node {{ {OBJECT_ROW_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
                ),
                json!({"a": after}),
            )
            .await;
        let list = &page["informatizationObjects"];
        if let Some(listed) = list["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["id"] == id)
        {
            assert_eq!(listed["node"], alone, "object {id} listed and fetched");
            return alone;
        }
        assert_eq!(
            list["pageInfo"]["hasNextPage"], true,
            "object {id} is not listed"
        );
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// A valid BIN built from 11 digits (check digit computed as the law says).
pub fn bin(head: &str) -> String {
    let d: Vec<u32> = head.bytes().map(|b| u32::from(b - b'0')).collect();
    assert_eq!(d.len(), 11);
    let w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let mut c = d.iter().zip(w1).map(|(a, b)| a * b).sum::<u32>() % 11;
    if c == 10 {
        c = d.iter().zip(w2).map(|(a, b)| a * b).sum::<u32>() % 11;
    }
    assert!(c < 10, "{head} has no valid BIN");
    format!("{head}{c}")
}

/// Runs an async scenario `fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        )+
    };
}
