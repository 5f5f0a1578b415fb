//! The aioredis → redis.asyncio knowledge, loaded from `rules/aioredis-api.toml`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const API_TOML: &str = include_str!("../rules/aioredis-api.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleEntry {
    /// The redis-py module that replaces this aioredis module.
    pub target: Option<String>,
    /// What to tell the user when there is no plain counterpart.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyEntry {
    /// What to use in redis.asyncio instead.
    pub instead: String,
    /// For an attribute redis.asyncio has too, with another behaviour: what it is
    /// in 1.x and in redis.asyncio (`[pool_methods.release]`).
    pub in_1x: Option<String>,
    pub in_redis_py: Option<String>,
    /// (client methods) A name no other common library uses, judged on any
    /// receiver in a module whose aioredis use is 1.x.
    #[serde(default)]
    pub anywhere: bool,
    /// (client methods) Reported only where the reply is used: a call that is a
    /// statement of its own (`await conn.unwatch()`) behaves the same.
    #[serde(default)]
    pub when_used: bool,
    /// (client and pool methods) What reading it gives in 1.x, for the model:
    /// "channels" (a mapping of `Channel`s, `client.channels`), "connections" (a
    /// collection of connections, `pool._pool`).
    pub gives: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyword {
    /// What to do instead.
    pub instead: String,
    /// With the method `*`: methods whose redis.asyncio spelling takes the keyword too.
    #[serde(default)]
    pub except: Vec<String>,
    /// Judged on any receiver in a module whose aioredis use is 1.x.
    #[serde(default)]
    pub anywhere: bool,
    /// With the method `*`: the methods where it is judged on any receiver.
    #[serde(default)]
    pub anywhere_methods: Vec<String>,
}

/// A 1.x command whose positional form redis.asyncio refuses (`zadd(key, score, member)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPositional {
    pub min_positional: usize,
    /// On an unknown receiver, the argument at this index must also be a number literal.
    pub anywhere_numeric_at: Option<usize>,
    #[serde(default = "yes")]
    pub anywhere: bool,
    /// On a known 1.x object, a `*args` after this many plain positional
    /// arguments is the 1.x form too (`mset(*pairs)`).
    pub starred_after: Option<usize>,
    pub instead: String,
}

fn yes() -> bool {
    true
}

/// An attribute of a 1.x `RedisConnection` that redis.asyncio's client has with
/// another meaning (`[connection_attributes]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionAttribute {
    pub in_1x: String,
    pub in_redis_py: String,
    /// What reading it gives in 1.x, for the model (`channels`).
    pub gives: Option<String>,
    pub instead: String,
}

/// A 1.x command whose reply has another shape in redis.asyncio (`[reply_shapes]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyShape {
    /// `namedtuple`, `dict`, `literal`, `tuple`, `set`, `number`, `decoded`,
    /// `bytes_keys`, `flat`, `true` or `list`.
    pub shape: String,
    /// (`literal`) The values the 1.x reply was, as text (`PONG`): compared with
    /// one of them (`== b"PONG"`), the redis.asyncio reply never equals it.
    #[serde(default)]
    pub was: Vec<String>,
    pub in_1x: String,
    pub in_redis_py: String,
    pub instead: String,
    /// In a 1.x module, the command's reply is followed on any receiver the model
    /// knows nothing about (a name only Redis clients have).
    #[serde(default)]
    pub anywhere: bool,
    /// The shape is that of each element of the list reply (`for info in reply`,
    /// `reply[0]`), not of the reply itself.
    #[serde(default)]
    pub each: bool,
    /// The shape is that of the reply's item at this position when it is unpacked
    /// (`cursor, values = reply`: 1), not of the reply itself.
    pub at: Option<usize>,
    /// The shape holds when the command is called with at most this many
    /// arguments, positional and keyword (more: another form of the command).
    pub max_args: Option<usize>,
}

/// What `repr()`/`str()` of a 1.x object was (`[printed_forms]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintedForm {
    /// How the 1.x text started (`<RedisConnection `).
    pub starts: Vec<String>,
    pub in_1x: String,
    pub in_redis_py: String,
    pub instead: String,
}

/// Where a 1.x queued command's future is awaited (`[futures]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Futures {
    pub awaiting: Vec<String>,
    /// The 1.x methods that send a command when called and return a future of its
    /// reply (`conn.execute(...)`).
    pub sent_by: Vec<String>,
    /// What to write instead of reading such a future (`{call}` the call as written).
    pub sent_instead: String,
    /// `{transaction}` stands for the transaction as written.
    pub instead: String,
}

/// Annotations and base classes that name an aioredis 1.x object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientTypes {
    pub client: Vec<String>,
    pub pool: Vec<String>,
    pub channel: Vec<String>,
    pub sentinel: Vec<String>,
    pub client_in_1x_modules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyClient {
    constructors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exports {
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    modules: BTreeMap<String, ModuleEntry>,
    legacy: HashMap<String, LegacyEntry>,
    exports: HashMap<String, Exports>,
    missing: HashMap<String, LegacyEntry>,
    client: LegacyClient,
    client_methods: HashMap<String, LegacyEntry>,
    client_keywords: HashMap<String, ClientKeyword>,
    client_positional: HashMap<String, ClientPositional>,
    pool_methods: HashMap<String, LegacyEntry>,
    channel_methods: HashMap<String, LegacyEntry>,
    connection_attributes: HashMap<String, ConnectionAttribute>,
    reply_shapes: HashMap<String, ReplyShape>,
    #[serde(default)]
    printed_forms: HashMap<String, PrintedForm>,
    sentinel_methods: HashMap<String, LegacyEntry>,
    futures: Futures,
    transaction_methods: HashMap<String, LegacyEntry>,
    client_types: ClientTypes,
    modern: Modern,
    unawaited: Unawaited,
    client_required: HashMap<String, ClientRequired>,
    client_arguments: HashMap<String, ClientArgument>,
    float_values: FloatValues,
    channel_text: ChannelText,
}

/// `[client_required]`: arguments 1.x defaulted and redis.asyncio requires.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRequired {
    /// redis-py's names of the required parameters after the key.
    pub parameters: Vec<String>,
    /// Calls with one of these keywords are left alone (another rule's: RU105's
    /// `eval(script, keys=[...])`).
    #[serde(default)]
    pub unless_keywords: Vec<String>,
    pub instead: String,
}

/// `[client_arguments]`: an argument value 1.x converted and redis.asyncio sends as is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientArgument {
    /// Its position in 1.x's signature, the key being 0.
    pub position: usize,
    /// `float` or `bytes`: which values are judged.
    pub value: Option<String>,
    /// (`bytes`) The values 1.x sent unchanged.
    #[serde(default)]
    pub unchanged: Vec<String>,
    /// Judged when given while this parameter is not.
    pub without: Option<Without>,
    pub in_1x: String,
    pub in_redis_py: String,
    pub instead: String,
}

/// A parameter of 1.x's signature: its name and position.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Without {
    pub name: String,
    pub position: usize,
}

/// `[channel_text]`: a 1.x `Channel` formatted by a builtin (`str(chan)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelText {
    pub builtins: Vec<String>,
    pub in_1x: String,
    pub instead: String,
}

/// `[float_values]`: what makes an argument a float.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloatValues {
    /// Functions (qualified; `builtins.` for a builtin) that return a float.
    pub calls: Vec<String>,
}

/// `[unawaited]`: commands that ran when called in 1.x, and are coroutines in redis.asyncio.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Unawaited {
    client: HashSet<String>,
    pipeline: HashSet<String>,
}

/// `[modern]`: what only aioredis 2.x has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modern {
    pub names: Vec<String>,
    pub keyword_constructors: Vec<String>,
    pub allowed_1x_keywords: Vec<String>,
}

#[derive(Debug)]
pub struct ApiMap {
    modules: BTreeMap<String, ModuleEntry>,
    legacy: HashMap<String, LegacyEntry>,
    exports: HashMap<String, HashSet<String>>,
    missing: HashMap<String, LegacyEntry>,
    legacy_client_constructors: Vec<String>,
    client_methods: HashMap<String, LegacyEntry>,
    /// keyword → method (`*` for any) → entry: looked up without building a key.
    client_keywords: HashMap<String, HashMap<String, ClientKeyword>>,
    client_positional: HashMap<String, ClientPositional>,
    pool_methods: HashMap<String, LegacyEntry>,
    channel_methods: HashMap<String, LegacyEntry>,
    connection_attributes: HashMap<String, ConnectionAttribute>,
    reply_shapes: HashMap<String, ReplyShape>,
    printed_forms: HashMap<String, PrintedForm>,
    sentinel_methods: HashMap<String, LegacyEntry>,
    futures: Futures,
    transaction_methods: HashMap<String, LegacyEntry>,
    client_types: ClientTypes,
    modern: Modern,
    unawaited: Unawaited,
    client_required: HashMap<String, ClientRequired>,
    /// method → (1.x parameter, entry), in 1.x's parameter order.
    client_arguments: HashMap<String, Vec<(String, ClientArgument)>>,
    float_values: FloatValues,
    channel_text: ChannelText,
    /// The last part of every `[modern]` name and keyword constructor.
    modern_parts: HashSet<String>,
    /// The last part of every `[legacy]` key: an attribute chain none of whose
    /// parts is one cannot name 1.x API.
    legacy_last_parts: HashSet<String>,
    /// Finds any of `legacy_last_parts` in a text.
    legacy_words: aho_corasick::AhoCorasick,
    /// The last parts that name a 1.x module (`errors` of `aioredis.errors`).
    legacy_module_words: HashSet<String>,
}

pub fn api_map() -> &'static ApiMap {
    static MAP: OnceLock<ApiMap> = OnceLock::new();
    MAP.get_or_init(|| {
        // The file is compiled in and checked by a unit test, so this cannot fail at run time.
        let file: ApiFile =
            toml::from_str(API_TOML).expect("rules/aioredis-api.toml is valid (unit-tested)");
        let legacy_last_parts: HashSet<String> = file
            .legacy
            .keys()
            .filter_map(|key| key.rsplit('.').next())
            .map(str::to_string)
            .collect();
        let legacy_words = whole_word_searcher(legacy_last_parts.iter().map(String::as_str));
        let legacy_module_words: HashSet<String> = file
            .legacy
            .keys()
            .filter(|key| file.modules.contains_key(key.as_str()))
            .filter_map(|key| key.rsplit('.').next())
            .map(str::to_string)
            .collect();
        ApiMap {
            legacy_words,
            legacy_last_parts,
            legacy_module_words,
            modules: file.modules,
            legacy: file.legacy,
            missing: file.missing,
            legacy_client_constructors: file.client.constructors,
            client_methods: file.client_methods,
            client_keywords: {
                let mut by_keyword: HashMap<String, HashMap<String, ClientKeyword>> =
                    HashMap::new();
                for (key, entry) in file.client_keywords {
                    let (method, keyword) = key
                        .split_once('.')
                        .expect("client_keywords keys are `<method>.<keyword>` (unit-tested)");
                    by_keyword
                        .entry(keyword.to_string())
                        .or_default()
                        .insert(method.to_string(), entry);
                }
                by_keyword
            },
            client_positional: file.client_positional,
            pool_methods: file.pool_methods,
            channel_methods: file.channel_methods,
            connection_attributes: file.connection_attributes,
            reply_shapes: file.reply_shapes,
            printed_forms: file.printed_forms,
            sentinel_methods: file.sentinel_methods,
            futures: file.futures,
            transaction_methods: file.transaction_methods,
            client_types: file.client_types,
            modern_parts: file
                .modern
                .names
                .iter()
                .chain(&file.modern.keyword_constructors)
                .filter_map(|name| name.rsplit('.').next())
                .map(str::to_string)
                .collect(),
            modern: file.modern,
            unawaited: file.unawaited,
            client_required: file.client_required,
            client_arguments: {
                let mut by_method: HashMap<String, Vec<(String, ClientArgument)>> = HashMap::new();
                for (key, entry) in file.client_arguments {
                    let (method, parameter) = key
                        .split_once('.')
                        .expect("client_arguments keys are `<method>.<parameter>` (unit-tested)");
                    by_method
                        .entry(method.to_string())
                        .or_default()
                        .push((parameter.to_string(), entry));
                }
                for entries in by_method.values_mut() {
                    entries.sort_by_key(|(_, entry)| entry.position);
                }
                by_method
            },
            float_values: file.float_values,
            channel_text: file.channel_text,
            exports: file
                .exports
                .into_iter()
                .map(|(module, exports)| (module, exports.names.into_iter().collect()))
                .collect(),
        }
    })
}

/// `redis.asyncio` itself or a name under it.
pub fn is_redis_asyncio(qualified: &str) -> bool {
    qualified == "redis.asyncio" || qualified.starts_with("redis.asyncio.")
}

/// The aioredis name a `redis.asyncio` name replaced (`redis.asyncio.X` → `aioredis.X`).
pub fn aioredis_name_of(qualified: &str) -> Option<String> {
    qualified
        .strip_prefix("redis.asyncio")
        .filter(|rest| rest.is_empty() || rest.starts_with('.'))
        .map(|rest| format!("aioredis{rest}"))
}

/// Whether a qualified name may belong to redis-py or aioredis: a reference
/// through any other import (`os.path`) cannot matter to a rule. A prefix test,
/// wider than the packages (`redis_lock` passes), so that it never misses.
pub fn may_be_redis_name(qualified: &str) -> bool {
    qualified.starts_with("redis") || qualified.starts_with("aioredis")
}

/// `aioredis` itself or one of its submodules/names.
/// Whether `text` spells one of `words` as a whole word: an identifier (or
/// the text of a string), not part of a longer one (`util` in `utils`).
/// `words` is built by [`whole_word_searcher`]: leftmost-longest matches,
/// which never hide a whole word (a match overlapping one would have to
/// cross the non-word character around it, and the words have none).
pub fn spells_a_whole_word(words: &aho_corasick::AhoCorasick, text: &str) -> bool {
    let bytes = text.as_bytes();
    words.find_iter(text).any(|found| {
        let before = found.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(found.end()).copied();
        !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
    })
}

/// A byte of an identifier (any non-ASCII byte counts: part of a letter).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The searcher [`spells_a_whole_word`] needs for `words` (identifiers).
pub fn whole_word_searcher<'a>(
    words: impl IntoIterator<Item = &'a str>,
) -> aho_corasick::AhoCorasick {
    let words: Vec<&str> = words.into_iter().collect();
    assert!(
        words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(is_word_byte)),
        "whole words only: {words:?}"
    );
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(words)
        .expect("a few short words")
}

pub fn is_aioredis(qualified: &str) -> bool {
    qualified == "aioredis" || qualified.starts_with("aioredis.")
}

impl ApiMap {
    pub fn module(&self, module: &str) -> Option<&ModuleEntry> {
        self.modules.get(module)
    }

    /// The 1.x-only entry for `qualified`: the longest key that equals it or is a
    /// dotted prefix of it (`aioredis.errors` covers `aioredis.errors.Foo`).
    pub fn legacy(&self, qualified: &str) -> Option<(&str, &LegacyEntry)> {
        let mut candidate = qualified;
        loop {
            if let Some((key, entry)) = self.legacy.get_key_value(candidate) {
                return Some((key.as_str(), entry));
            }
            candidate = &candidate[..candidate.rfind('.')?];
        }
    }

    /// Whether redis-py's `module` exports `name`; `None` when the module's
    /// exports are not recorded.
    pub fn exports(&self, module: &str, name: &str) -> Option<bool> {
        self.exports.get(module).map(|names| names.contains(name))
    }

    /// A name aioredis code reaches that `redis.asyncio` lacks (`redis.asyncio.exceptions`).
    pub fn missing(&self, qualified: &str) -> Option<&LegacyEntry> {
        self.missing.get(qualified)
    }

    /// Whether the constructor (its first qualified name) builds an aioredis 1.x
    /// `Redis` client, the object `client_method`/`client_keyword` are about.
    pub fn builds_legacy_client(&self, constructor: &str) -> bool {
        self.legacy_client_constructors
            .iter()
            .any(|name| name == constructor)
    }

    /// An attribute of the aioredis 1.x client that redis.asyncio's client lacks.
    pub fn client_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.client_methods.get(name)
    }

    /// A keyword argument of a 1.x client command that redis.asyncio's
    /// `method` does not take.
    pub fn client_keyword(&self, method: &str, keyword: &str) -> Option<&ClientKeyword> {
        let methods = self.client_keywords.get(keyword)?;
        if let Some(entry) = methods.get(method) {
            return Some(entry);
        }
        methods
            .get("*")
            .filter(|entry| !entry.except.iter().any(|name| name == method))
    }

    /// A keyword judged on any receiver in a 1.x module (`set(expire=)`, `get(encoding=)`).
    pub fn anywhere_keyword(&self, method: &str, keyword: &str) -> Option<&ClientKeyword> {
        let methods = self.client_keywords.get(keyword)?;
        if let Some(entry) = methods.get(method) {
            return entry.anywhere.then_some(entry);
        }
        methods
            .get("*")
            .filter(|entry| entry.anywhere_methods.iter().any(|name| name == method))
    }

    /// A 1.x positional form of `method` (`zadd(key, score, member)`).
    pub fn client_positional(&self, method: &str) -> Option<&ClientPositional> {
        self.client_positional.get(method)
    }

    /// An attribute of the aioredis 1.x `ConnectionsPool` that redis.asyncio's pool lacks.
    pub fn pool_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.pool_methods.get(name)
    }

    /// An attribute of an aioredis 1.x transaction that redis.asyncio's `Pipeline` lacks.
    pub fn transaction_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.transaction_methods.get(name)
    }

    /// An attribute of an aioredis 1.x `Channel` (all of them: the class is gone).
    pub fn channel_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.channel_methods.get(name)
    }

    /// An attribute of a 1.x connection that means something else on redis.asyncio's client.
    pub fn connection_attribute(&self, name: &str) -> Option<&ConnectionAttribute> {
        self.connection_attributes.get(name)
    }

    /// A 1.x command whose reply has another shape in redis.asyncio.
    pub fn reply_shape(&self, command: &str) -> Option<&ReplyShape> {
        self.reply_shapes.get(command)
    }

    /// The shape of a part of a 1.x reply, as the 1.x model names it: `time` (the
    /// reply), `client_list[]` (an element), `hscan(1)[1]` (unpacked at position 1;
    /// `(n)`: called with n arguments, `(*)`: a count not known).
    /// The command and the shape, when the table has one for that part; and
    /// whether the part is a name unpacked from a `list`-shaped reply
    /// (`pending, lo, hi, consumers = await r.xpending(...)`).
    pub fn reply_part(&self, part: &str) -> Option<(&str, &ReplyShape, bool)> {
        let (command, position) = match part.split_once('[') {
            Some((command, rest)) => (command, Some(rest.trim_end_matches(']'))),
            None => (part, None),
        };
        let (command, arguments) = match command.split_once('(') {
            Some((command, count)) => (command, count.trim_end_matches(')').parse().ok()),
            None => (command, Some(0)),
        };
        let (command, shape) = self.reply_shapes.get_key_value(command)?;
        if let Some(most) = shape.max_args
            && arguments.is_none_or(|count: usize| count > most)
        {
            return None;
        }
        let command = command.as_str();
        let whole = shape.at.is_none() && !shape.each;
        match position {
            None if whole => Some((command, shape, false)),
            Some("") if shape.each => Some((command, shape, false)),
            Some(index) => {
                let index = index.parse::<usize>().ok()?;
                if shape.at == Some(index) {
                    Some((command, shape, false))
                } else if whole && shape.shape == "list" {
                    Some((command, shape, true))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// What `repr()` of a 1.x object of `kind` (`client`, `pool`) was.
    pub fn printed_form(&self, kind: &str) -> Option<&PrintedForm> {
        self.printed_forms.get(kind)
    }

    /// An attribute of the 1.x `RedisSentinel` that redis.asyncio's `Sentinel` lacks.
    pub fn sentinel_method(&self, name: &str) -> Option<&LegacyEntry> {
        self.sentinel_methods.get(name)
    }

    /// Where a queued command's future is awaited.
    pub fn futures(&self) -> &Futures {
        &self.futures
    }

    pub fn client_types(&self) -> &ClientTypes {
        &self.client_types
    }

    /// A command whose arguments 1.x defaulted and redis.asyncio requires.
    pub fn client_required(&self, method: &str) -> Option<&ClientRequired> {
        self.client_required.get(method)
    }

    /// The argument values of `method` that 1.x converted (`[client_arguments]`).
    pub fn client_arguments(&self, method: &str) -> &[(String, ClientArgument)] {
        self.client_arguments
            .get(method)
            .map_or(&[][..], Vec::as_slice)
    }

    /// How a 1.x `Channel` formatted by a builtin is judged (`str(chan)`).
    pub fn channel_text(&self) -> &ChannelText {
        &self.channel_text
    }

    /// Whether a function (qualified; `builtins.float`) returns a float.
    pub fn returns_float(&self, qualified: &str) -> bool {
        self.float_values.calls.iter().any(|c| c == qualified)
    }

    /// Whether a function called by this last name (`time` for `time.time`) may
    /// return a float: the cheap test before the callee is resolved.
    pub fn may_return_float(&self, last_name: &str) -> bool {
        self.float_values
            .calls
            .iter()
            .any(|c| c.rsplit('.').next() == Some(last_name))
    }

    /// A command that, called as a statement without `await` on a 1.x client
    /// (`pipeline` false) or transaction (`pipeline` true), ran in 1.x and
    /// never runs in redis.asyncio.
    pub fn runs_only_when_awaited(&self, method: &str, pipeline: bool) -> bool {
        if pipeline {
            self.unawaited.pipeline.contains(method)
        } else {
            self.unawaited.client.contains(method)
        }
    }

    /// Whether `qualified` (absolute) is, or is under, a name only aioredis 2.x has.
    pub fn is_modern(&self, qualified: &str) -> bool {
        self.modern.names.iter().any(|name| {
            qualified == name
                || qualified
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// Whether an attribute name may be part of a 2.x-only name (`from_url`, `exceptions`).
    pub fn may_be_modern_part(&self, part: &str) -> bool {
        self.modern_parts.contains(part)
    }

    /// Whether `aioredis.Redis(<keyword>=...)` (by its qualified callee) is aioredis 2.x's.
    pub fn is_modern_constructor_keyword(&self, callee: &str, keyword: &str) -> bool {
        self.modern.keyword_constructors.iter().any(|c| c == callee)
            && !self.modern.allowed_1x_keywords.iter().any(|k| k == keyword)
    }

    /// Whether a module's text may use aioredis 1.x-only API at all: it contains
    /// the last part of some `[legacy]` name (`create_pool`, `errors`, ...),
    /// which any import or reference of one spells out.
    pub fn may_mention_legacy(&self, text: &str) -> bool {
        self.legacy_words.is_match(text)
    }

    /// [`Self::may_mention_legacy`], counting only the words that stand as a
    /// whole word (an identifier, not part of one: `util` in `utils` does not
    /// count), as every import or reference of a `[legacy]` name spells it.
    pub fn may_mention_legacy_word(&self, text: &str) -> bool {
        spells_a_whole_word(&self.legacy_words, text)
    }

    /// [`Self::may_mention_legacy_word`], with the words that name a 1.x module
    /// (`errors`, `util`, `pool`: common words) counted only as that module —
    /// spelled `aioredis.<word>` — unless the text imports names from aioredis
    /// or binds it to another name (`from aioredis import errors`, `import
    /// aioredis as r`). Whether the 1.x model has work in a module.
    pub fn may_mention_legacy_code(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let by_other_names = memchr::memmem::find(bytes, b"from aioredis import").is_some()
            || memchr::memmem::find(bytes, b"import aioredis as").is_some();
        self.legacy_words.find_iter(text).any(|found| {
            let before = found.start().checked_sub(1).map(|at| bytes[at]);
            let after = bytes.get(found.end()).copied();
            if before.is_some_and(is_word_byte) || after.is_some_and(is_word_byte) {
                return false;
            }
            by_other_names
                || !self.legacy_module_words.contains(&text[found.range()])
                || text[..found.start()].ends_with("aioredis.")
        })
    }

    /// Whether an attribute name may be part of a 1.x name (`errors`, `create_pool`).
    pub fn may_be_legacy_part(&self, part: &str) -> bool {
        self.legacy_last_parts.contains(part)
    }

    /// The recorded exports of a redis-py module, if it is one we know.
    pub fn module_exports(&self, module: &str) -> Option<&HashSet<String>> {
        self.exports.get(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modern_names_unawaited_commands_and_required_arguments() {
        let map = api_map();
        assert!(map.is_modern("aioredis.from_url"));
        assert!(map.is_modern("aioredis.exceptions.RedisError"));
        assert!(!map.is_modern("aioredis.Redis"));
        assert!(!map.is_modern("aioredis.from_urls"));
        assert!(map.may_be_modern_part("from_url") && map.may_be_modern_part("Redis"));
        assert!(map.is_modern_constructor_keyword("aioredis.Redis", "host"));
        assert!(!map.is_modern_constructor_keyword("aioredis.Redis", "pool_or_conn"));
        assert!(map.runs_only_when_awaited("set", false));
        assert!(!map.runs_only_when_awaited("pipeline", false));
        assert!(!map.runs_only_when_awaited("set", true));
        assert!(map.runs_only_when_awaited("unwatch", true));
        let zrange = map.client_required("zrange").unwrap();
        assert_eq!(zrange.parameters, ["start", "end"]);
        assert!(map.client_required("get").is_none());
        assert!(map.transaction_method("_results").is_some());
    }

    #[test]
    fn client_arguments_table() {
        let map = api_map();
        let lex = map.client_arguments("zrangebylex");
        assert_eq!(lex.len(), 2);
        assert_eq!((lex[0].0.as_str(), lex[0].1.position), ("min", 1));
        assert_eq!(lex[1].1.unchanged, ["+"]);
        for (method, entries) in &map.client_arguments {
            for (parameter, entry) in entries {
                // A value test or a missing companion, not both and not neither.
                assert!(
                    entry.value.is_some() != entry.without.is_some(),
                    "{method}.{parameter}"
                );
                assert!(
                    matches!(entry.value.as_deref(), None | Some("float" | "bytes")),
                    "{method}.{parameter}"
                );
                assert_eq!(
                    entry.unchanged.is_empty(),
                    entry.value.as_deref() != Some("bytes"),
                    "{method}.{parameter}"
                );
            }
        }
        assert!(map.client_arguments("get").is_empty());
        assert!(map.returns_float("time.time") && !map.returns_float("time.time_ns"));
        let eval = map.client_required("eval").unwrap();
        assert_eq!(eval.unless_keywords, ["keys", "args"]);
    }

    #[test]
    fn data_file_parses() {
        let map = api_map();
        assert_eq!(
            map.module("aioredis.exceptions").unwrap().target.as_deref(),
            Some("redis.exceptions")
        );
    }

    #[test]
    fn legacy_lookup_takes_the_longest_prefix() {
        let map = api_map();
        assert_eq!(
            map.legacy("aioredis.errors.ReplyError").unwrap().0,
            "aioredis.errors.ReplyError"
        );
        assert_eq!(
            map.legacy("aioredis.errors.Other").unwrap().0,
            "aioredis.errors"
        );
        assert!(map.legacy("aioredis.Redis").is_none());
        assert!(map.legacy("aioredis.from_url").is_none());
        assert_eq!(
            map.legacy("aioredis.Redis.SET_IF_EXIST").unwrap().0,
            "aioredis.Redis.SET_IF_EXIST"
        );
    }

    #[test]
    fn every_aioredis_2_name_is_exported_by_redis_asyncio() {
        // aioredis 2.0.1 `__all__` (reference §2.1).
        for name in [
            "AuthenticationError",
            "AuthenticationWrongNumberOfArgsError",
            "BlockingConnectionPool",
            "BusyLoadingError",
            "ChildDeadlockedError",
            "Connection",
            "ConnectionError",
            "ConnectionPool",
            "DataError",
            "from_url",
            "InvalidResponse",
            "PubSubError",
            "ReadOnlyError",
            "Redis",
            "RedisError",
            "ResponseError",
            "SSLConnection",
            "StrictRedis",
            "TimeoutError",
            "UnixDomainSocketConnection",
            "WatchError",
        ] {
            assert_eq!(
                api_map().exports("redis.asyncio", name),
                Some(true),
                "{name}"
            );
        }
    }

    #[test]
    fn missing_module_names_are_absent_from_the_exports() {
        let map = api_map();
        for key in map.missing.keys() {
            let (module, name) = key.rsplit_once('.').unwrap();
            // Class attributes (`redis.asyncio.Redis.X`) sit below a class, not a module.
            if map.module_exports(module).is_some() {
                assert_eq!(map.exports(module, name), Some(false), "{key}");
            }
        }
    }

    #[test]
    fn client_tables_load() {
        let map = api_map();
        assert!(map.builds_legacy_client("aioredis.create_redis_pool"));
        assert!(!map.builds_legacy_client("aioredis.create_pool"));
        assert!(map.client_method("multi_exec").is_some());
        assert!(map.client_method("get").is_none());
        assert!(map.client_keyword("set", "expire").is_some());
        assert!(map.client_keyword("get", "expire").is_none());
        assert!(map.client_keyword("hgetall", "encoding").is_some());
        assert!(map.client_keyword("bitfield_ro", "encoding").is_none());
        // §3.4 lists 52 names; and 1.x `RedisConnection.execute_pubsub`, and the
        // connection internals `_reader_task` and `_waiters`.
        // And (round 4) `watch`, `unwatch`, `command_info`: in redis.asyncio too, with
        // another meaning (a no-op that warns; `NotImplementedError`).
        assert_eq!(map.client_methods.len(), 58);
    }

    #[test]
    fn legacy_words_are_found_in_text() {
        let map = api_map();
        assert!(map.may_mention_legacy("from aioredis import create_pool as cp"));
        assert!(map.may_mention_legacy("def f(p: 'aioredis.ConnectionsPool'): ..."));
        assert!(map.may_mention_legacy("except aioredis.errors.X: ..."));
        assert!(!map.may_mention_legacy("import aioredis\nr = aioredis.from_url(u)\n"));
        // Whole words only: as an identifier, an attribute, an import, a string.
        for text in [
            "from aioredis import create_pool as cp",
            "aioredis.errors.ReplyError",
            "x = aioredis.util",
            "def f(p: 'aioredis.ConnectionsPool'): ...",
            "getattr(aioredis, \"create_redis\")",
            "pool",
        ] {
            assert!(map.may_mention_legacy_word(text), "{text}");
        }
        for text in [
            "from django import utils",
            "my_create_pool()",
            "create_pool2 = 1",
            "poolé = 1",
            "import aioredis\nr = aioredis.from_url(u)\n",
        ] {
            assert!(!map.may_mention_legacy_word(text), "{text}");
            if text.contains("aioredis") {
                continue;
            }
            // Looser than the whole-word test, never stricter.
            assert!(map.may_mention_legacy(text), "{text}");
        }
    }

    #[test]
    fn module_words_count_as_modules_only() {
        let map = api_map();
        for text in [
            "import aioredis\nexcept aioredis.errors.ReplyError: pass",
            "from aioredis.pool import X",
            "import aioredis as r\nr.errors",
            "from aioredis import errors",
            "import aioredis\npool = await aioredis.create_pool(u)",
            "import aioredis\nch = aioredis.Channel('c', False)",
        ] {
            assert!(map.may_mention_legacy_code(text), "{text}");
        }
        for text in [
            "import aioredis\nerrors = []\nfrom email import parser, utils\nabc = 1\n",
            "import aioredis\nself.pool.submit(x)\nstream.write(b'')",
            "import aioredis\nr = aioredis.from_url(u)\n",
        ] {
            assert!(!map.may_mention_legacy_code(text), "{text}");
            // Stricter than the whole-word test, never looser.
            assert!(!map.may_mention_legacy_code(text) || map.may_mention_legacy_word(text));
        }
    }

    #[test]
    fn anywhere_tables() {
        let map = api_map();
        assert!(map.anywhere_keyword("set", "expire").is_some());
        assert!(map.anywhere_keyword("get", "encoding").is_some());
        // `encoding=` anywhere only on the commands whose 1.x signature has it.
        assert!(map.anywhere_keyword("read_text", "encoding").is_none());
        assert!(map.client_keyword("read_text", "encoding").is_some());
        // Known receivers only.
        assert!(map.anywhere_keyword("sort", "offset").is_none());
        assert!(map.client_keyword("sort", "offset").is_some());
        assert_eq!(map.client_positional("zadd").unwrap().min_positional, 3);
        assert_eq!(
            map.client_positional("zadd").unwrap().anywhere_numeric_at,
            Some(1)
        );
        assert!(map.pool_method("execute").is_some());
        // In redis.asyncio too, but a coroutine: 1.x code's un-awaited call releases nothing.
        assert!(map.pool_method("release").is_some());
        assert!(map.channel_method("wait_message").is_some());
    }

    #[test]
    fn connection_sentinel_reply_and_future_tables() {
        let map = api_map();
        let channels = map.connection_attribute("pubsub_channels").unwrap();
        assert_eq!(channels.gives.as_deref(), Some("channels"));
        // A command on the 1.x client, as in redis-py: not a client method.
        assert!(map.client_method("pubsub_channels").is_none());
        assert_eq!(map.reply_shape("role").unwrap().shape, "namedtuple");
        assert_eq!(map.reply_shape("pubsub_numsub").unwrap().shape, "dict");
        assert_eq!(map.reply_shape("ping").unwrap().was, ["PONG"]);
        for entry in map.reply_shapes.values() {
            assert!(matches!(
                entry.shape.as_str(),
                "namedtuple"
                    | "dict"
                    | "literal"
                    | "tuple"
                    | "set"
                    | "number"
                    | "decoded"
                    | "bytes_keys"
                    | "flat"
                    | "true"
                    | "list"
                    | "pairs"
            ));
            assert!(!(entry.each && entry.at.is_some()));
            assert_eq!(entry.shape == "literal", !entry.was.is_empty());
        }
        assert_eq!(map.reply_shape("time").unwrap().shape, "number");
        assert!(map.reply_part("client_list[]").is_some());
        assert!(map.reply_part("client_list").is_none());
        assert!(map.reply_part("hscan[1]").is_some());
        assert!(map.reply_part("hscan[0]").is_none());
        assert!(map.reply_part("xpending(2)[2]").unwrap().2);
        assert!(!map.reply_part("xpending(2)").unwrap().2);
        assert!(map.reply_part("xpending(5)").is_none());
        assert!(map.reply_part("xpending(5)[0]").is_none());
        assert!(map.reply_part("role[]").is_none());
        assert!(
            map.printed_form("client")
                .unwrap()
                .starts
                .iter()
                .any(|s| s == "<RedisConnection ")
        );
        assert!(map.sentinel_method("wait_closed").is_some());
        // redis-py's `Sentinel` has these too.
        for same in ["master_for", "slave_for", "close"] {
            assert!(map.sentinel_method(same).is_none(), "{same}");
        }
        assert!(map.futures().awaiting.iter().any(|f| f == "asyncio.gather"));
        assert!(map.futures().instead.contains("{transaction}"));
        assert_eq!(map.futures().sent_by, ["execute", "execute_pubsub"]);
    }

    #[test]
    fn every_anywhere_encoding_command_is_a_1x_command() {
        // The `*.encoding` entry's methods are 1.x `Redis` commands, none a client attribute.
        let map = api_map();
        let entry = map.client_keyword("get", "encoding").unwrap();
        assert!(entry.anywhere_methods.len() > 30);
        for method in &entry.anywhere_methods {
            assert!(map.client_method(method).is_none(), "{method}");
            assert!(!entry.except.contains(method), "{method}");
        }
    }

    #[test]
    fn always_1x_types_are_1x_only_names() {
        // A type that makes an object 1.x in any module must be 1.x-only API itself,
        // so a module naming it is a 1.x module too.
        let map = api_map();
        let types = map.client_types();
        for name in types
            .client
            .iter()
            .chain(&types.pool)
            .chain(&types.channel)
            .chain(&types.sentinel)
        {
            assert!(map.legacy(name).is_some(), "{name}");
        }
        for name in &types.client_in_1x_modules {
            assert!(map.legacy(name).is_none(), "{name}");
        }
    }

    #[test]
    fn legacy_client_constructors_are_aioredis_1_clients() {
        use crate::constructors::{Kind, Library, constructor_table};
        for name in &api_map().legacy_client_constructors {
            let constructor = constructor_table().lookup(name).expect(name);
            assert_eq!(constructor.name, *name);
            assert_eq!(constructor.library, Library::Aioredis1, "{name}");
            assert_eq!(constructor.kind, Kind::Client, "{name}");
        }
    }

    #[test]
    fn legacy_keys_are_aioredis_names() {
        for key in api_map().legacy.keys() {
            assert!(is_aioredis(key), "{key}");
        }
    }
}
