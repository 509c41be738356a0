//! A deterministic corpus of realistic social captions for the hashtag
//! benchmark and for the side-by-side diff with twitter-text.
//!
//! Shared by `benches/hashtags.rs` and `examples/hashtag_corpus.rs`
//! (`#[path = "../benches/support/corpus.rs"] mod corpus;`). Its own tiny
//! PRNG with a fixed seed: the same captions on every machine, no `rand`.

/// The number of captions of the standard corpus.
pub(crate) const CAPTIONS: usize = 20_000;

/// The standard corpus: [`CAPTIONS`] captions, about 7 MB.
pub(crate) fn captions() -> Vec<String> {
    let mut rng = Rng(0x5EED_CAFE_F00D_2025);
    (0..CAPTIONS).map(|_| caption(&mut rng)).collect()
}

/// SplitMix64 (Steele, Lea, Flood 2014).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

struct Language {
    sentences: &'static [&'static str],
    tags: &'static [&'static str],
}

const ENGLISH: Language = Language {
    sentences: &[
        "Just dropped the new summer collection and I am obsessed with every piece.",
        "Swipe to see how I styled it for brunch, the office and a night out!",
        "Honestly the best skincare routine I have tried this year, no filter needed.",
        "Use my code for 20% off, link in bio. Limited stock so don't wait!",
        "Behind the scenes of today's shoot: 6 looks, 3 locations, 1 very tired crew.",
        "Can't believe it's already been a year since we launched this together.",
        "Sunday reset: clean sheets, iced coffee and zero notifications.",
        "Tag a friend who needs this in their life right now.",
        "Rate this outfit from 1 to 10 in the comments, be honest...",
        "We tested it for 30 days so you don't have to. Full review on the channel.",
        "Paid partnership. Opinions are my own, as always.",
        "Grateful for this community, you make every post worth it.",
    ],
    tags: &[
        "BrandX",
        "ad",
        "sponsored",
        "summer",
        "OOTD",
        "fashion",
        "skincare",
        "beauty",
        "GRWM",
        "fitness",
        "travel",
        "foodie",
        "TBT",
        "giveaway",
        "newin",
        "style",
        "makeup",
        "vegan",
        "coffee",
        "weekendvibes",
        "BrandXmas",
        "Summer_Drop",
    ],
};

const SPANISH: Language = Language {
    sentences: &[
        "¡Por fin llegó la colección de verano y estoy enamorada de cada prenda!",
        "Desliza para ver cómo lo combiné para el trabajo y para salir de noche.",
        "La mejor rutina de cuidado de la piel que he probado este año.",
        "Usa mi código para un 20% de descuento, enlace en la bio.",
        "Detrás de cámaras de la sesión de hoy: seis looks y mucho café.",
        "¿Qué opinan? Los leo en los comentarios 👇",
        "Colaboración pagada. Mis opiniones son mías, como siempre.",
    ],
    tags: &[
        "moda",
        "verano",
        "belleza",
        "publicidad",
        "estilo",
        "mañana",
        "cuidadodelapiel",
        "viajes",
        "comida",
        "España",
        "México",
        "sorteo",
    ],
};

const PORTUGUESE: Language = Language {
    sentences: &[
        "Chegou a nova coleção de verão e eu já estou apaixonada por tudo!",
        "Arrasta pro lado pra ver como eu combinei as peças.",
        "A melhor rotina de skincare que testei este ano, sem filtro.",
        "Use meu cupom para 20% de desconto, link na bio!",
        "Bastidores da gravação de hoje: muito café e muita risada.",
        "Publicidade. Opiniões sinceras, como sempre.",
    ],
    tags: &[
        "moda",
        "verão",
        "beleza",
        "publi",
        "estilo",
        "maquiagem",
        "viagem",
        "Brasil",
        "coleção",
        "sorteio",
        "LookDoDia",
    ],
};

const JAPANESE: Language = Language {
    sentences: &[
        "夏の新作コレクションがついに発売されました！",
        "今日の撮影の裏側をちょっとだけお見せします。",
        "このスキンケア、本当におすすめです。詳しくはプロフィールのリンクから。",
        "週末はカフェでのんびり過ごしました☕️",
        "コメントで感想を教えてね！",
        "提供：ブランドX。正直なレビューです。",
    ],
    tags: &[
        "ファッション",
        "今日のコーデ",
        "夏コーデ",
        "スキンケア",
        "カフェ巡り",
        "東京",
        "日本語ハッシュタグ",
        "プチプラ",
        "ｻｯｶｰ",
        "おしゃれさんと繋がりたい",
    ],
};

const KOREAN: Language = Language {
    sentences: &[
        "드디어 여름 신상 컬렉션이 나왔어요! 너무 예쁘죠?",
        "오늘 촬영 비하인드 살짝 공개합니다.",
        "요즘 제일 잘 쓰고 있는 스킨케어 제품이에요.",
        "프로필 링크에서 20% 할인 코드 확인하세요!",
        "댓글로 여러분 생각 알려주세요 💬",
    ],
    tags: &[
        "패션",
        "데일리룩",
        "여름코디",
        "스킨케어",
        "카페",
        "서울",
        "광고",
        "협찬",
        "오오티디",
    ],
};

const ARABIC: Language = Language {
    sentences: &[
        "وصلت مجموعة الصيف الجديدة وأنا أحب كل قطعة فيها!",
        "اسحب لترى كيف نسقت الإطلالة لليوم.",
        "أفضل روتين للعناية بالبشرة جربته هذا العام.",
        "استخدموا الكود للحصول على خصم ٢٠٪، الرابط في البايو.",
        "إعلان مدفوع، والرأي رأيي كالعادة.",
    ],
    tags: &[
        "موضة",
        "جمال",
        "صيف",
        "إعلان",
        "السعودية",
        "دبي",
        "لس_آنجلس",
        "عناية_بالبشرة",
    ],
};

const RUSSIAN: Language = Language {
    sentences: &[
        "Наконец-то вышла летняя коллекция, и я влюблена в каждую вещь!",
        "Листайте, чтобы увидеть три образа на каждый день.",
        "Лучший уход за кожей, который я пробовала в этом году.",
        "Промокод на скидку 20% в профиле, успевайте!",
        "Реклама. Мнение, как всегда, моё.",
    ],
    tags: &[
        "мода",
        "лето",
        "красота",
        "реклама",
        "стиль",
        "Москва",
        "образдня",
        "уходзакожей",
    ],
};

const LANGUAGES: &[Language] = &[
    ENGLISH, ENGLISH, ENGLISH, SPANISH, PORTUGUESE, JAPANESE, KOREAN, ARABIC, RUSSIAN,
];

const EMOJI: &[&str] = &[
    "✨",
    "🔥",
    "💖",
    "😍",
    "🙌",
    "☀️",
    "🌊",
    "👇",
    "💯",
    "🎉",
    "❤️",
    "✌️",
    "👍🏽",
    "💪🏿",
    "👩🏻‍💻",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🧑🏾‍🤝‍🧑🏼",
    "🤷‍♀️",
    "😂😂",
    "#️⃣",
    "1️⃣",
];

const MENTIONS: &[&str] = &[
    "@brandx",
    "@brandx_official",
    "@maria.lopez",
    "@studio.k",
    "@tokyo_cafe",
    "@ana_b",
];

const URLS: &[&str] = &[
    "https://brandx.com/summer",
    "https://www.brandx.com/shop/summer-2025?utm_source=ig&utm_medium=social",
    "http://brandx.co.uk/#lookbook",
    "https://shop.example.com/p/12345#reviews",
    "brandx.com/discount",
    "www.brandx.com.br/colecao",
    "bit.ly/3xYz9Ab",
    "https://youtu.be/dQw4w9WgXcQ",
    "https://t.co/AbC123xyz",
    "brandx.jp/#新作",
    "https://linktr.ee/creator#shop",
    "example.org/#sale",
];

/// One caption: a few sentences in one language, emoji, mentions, maybe a
/// URL, and 2 to 8 hashtags — some full-width, some not hashtags at all
/// (`#2025`, `abc#x`, `&#39;`).
fn caption(rng: &mut Rng) -> String {
    let lang = &LANGUAGES[rng.range(0, LANGUAGES.len() - 1)];
    let mut out = String::with_capacity(512);
    let sentences = rng.range(2, 5);
    for s in 0..sentences {
        if s > 0 {
            out.push(if rng.chance(20) { '\n' } else { ' ' });
        }
        out.push_str(rng.pick(lang.sentences));
        if rng.chance(40) {
            out.push(' ');
            out.push_str(rng.pick(EMOJI));
        }
        if rng.chance(15) {
            out.push_str(" It&#39;s");
        }
    }
    if rng.chance(35) {
        out.push(' ');
        out.push_str(rng.pick(MENTIONS));
    }
    if rng.chance(40) {
        out.push_str(if rng.chance(50) { "\n" } else { " " });
        out.push_str(rng.pick(URLS));
        if rng.chance(20) {
            out.push('.');
        }
    }
    out.push_str(if rng.chance(50) { "\n\n" } else { " " });
    let tags = rng.range(2, 8);
    for t in 0..tags {
        if t > 0 {
            out.push(if rng.chance(10) { '\u{3000}' } else { ' ' });
        }
        let roll = rng.next() % 100;
        let tag = if rng.chance(70) {
            rng.pick(lang.tags)
        } else {
            rng.pick(ENGLISH.tags)
        };
        match roll {
            0..=7 => {
                out.push('＃');
                out.push_str(tag);
            }
            8..=11 => out.push_str("#2025"),
            12..=14 => {
                out.push_str("abc#");
                out.push_str(tag);
            }
            15..=17 => {
                out.push('#');
                out.push_str(tag);
                out.push_str(rng.pick(EMOJI));
            }
            18..=19 => {
                out.push('#');
                out.push_str(tag);
                out.push('#');
                out.push_str(tag);
            }
            _ => {
                out.push('#');
                out.push_str(tag);
            }
        }
        if rng.chance(5) {
            out.push_str(rng.pick(&[".", ",", "!", "…", "。"]));
        }
    }
    out
}
