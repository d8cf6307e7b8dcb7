//! The credit rules' patterns, as `dedup/credits.py` wrote them in Python's syntax,
//! compiled once by `pyre` (which keeps Python's meaning of every class and flag).

use std::sync::LazyLock;

use crate::pyre::Re;

const NOT_DIAN: &str = r"(?![视影台话子脑力商竞器池网线缆])"; // 新华社电 is a dateline, 电视 is not
const MONTH: &str =
    r"(?<![A-Za-z])(?i:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?";
const SEP: &str = r"(?:--|[-–—―:：]|[?_](?=\s))"; // "?" is a mangled dash, "_" old AP style

fn date() -> String {
    format!(
        r"(?:\d{{1,2}}[ \t]+{MONTH}|{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?)(?:,?[ \t]+\d{{4}})?"
    )
}

/// The patterns of the rules, compiled once (`dedup/credits.py` names them alike).
pub struct Patterns {
    pub en_date: Re,
    pub code_split: Re,
    pub paren: Re,
    pub place_suffix: Re,
    pub ur_codeless: Re,
    pub codeless: Re,
    pub byline: Re,
    pub byline_split: Re,
    pub zh_byline: Re,
    pub zh_after: Re,
    pub zh_local: Re,
    pub en_value: Re,
    pub zh_source_value: Re,
    pub zh_name_value: Re,
    pub copyright: Re,
    pub end_name: Re,
    pub mention_after: Re,
    pub mention_before: Re,
    pub sentence_end: Re,
    pub trailers: Vec<Re>,
    pub link: Re,
}

pub static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let date = date();
    Patterns {
        en_date: Re::new(&format!(r"{date}(?!\w)")),
        code_split: Re::new(r"[ \t]*(?:/|,|、|;|&|\band\b)[ \t]*"),
        paren: Re::new(&format!(
            r"[(（][^\S\n]*(?P<codes>[^\n()（）:：]{{1,40}}?)[^\S\n]*[)）](?:[^\S\n]*(?P<sep>{SEP}))?[^\S\n]*"
        )),
        place_suffix: Re::new(&format!(
            r"(?<![\w'’])(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t\u00a0]+[A-Z][A-Z.'’\-]+)*(?:,[ \t\u00a0]*[A-Z][\w.'’\-]*(?:[ \t\u00a0]+[A-Z][\w.'’\-]*){{0,3}})?)(?:,[ \t\u00a0]*(?P<date>{date}))?[ \t\u00a0,]*\Z"
        )),
        ur_codeless: Re::new(
            r"(?P<place>[^\s۔:()（）\d]{2,20}(?:[ \t/،][^\s۔:()（）\d]{1,20}){0,2})[^\S\n]*۔{3,}[^\S\n]*",
        ),
        codeless: Re::new(&format!(
            r"(?P<place>[A-Z][A-Z.'’\-]+(?:[ \t][A-Z][A-Z.'’\-]+){{0,3}}(?:,[ \t]*[A-Z][A-Za-z.'’\-]+(?:[ \t][A-Z][A-Za-z.'’\-]+){{0,2}})?),[ \t]*(?P<date>{date})[^\S\n]*(?P<sep>--|[-–—―])[^\S\n]*"
        )),
        byline: Re::new(r"(?m)(?:By|BY)[ \t\u00a0]+(?P<who>[^\n]{2,80}?)[^\S\n]*$"),
        byline_split: Re::new(r"[\s,|/·]+"),
        zh_byline: Re::new(
            r"(?m)(?:本报|[\u4e00-\u9fff]{2,6}?)?(?:特约|实习)?记者[ \t\u3000:：]*(?P<who>[\u4e00-\u9fff·]{2,4}(?:[ \t\u3000、，,][\u4e00-\u9fff·]{2,4}){0,4})[^\S\n]*$",
        ),
        zh_after: Re::new(&format!(
            r"(?:(?P<place>[^\s，。,；;：:（）()【】\[\]电]{{0,16}}?)(?P<date>(?:\d{{2,4}}年)?(?:\d{{1,2}}月)?\d{{1,2}}日)电|(?P<near>[\u4e00-\u9fff]{{0,5}}?)电{NOT_DIAN})(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{{1,40}})[）)])?[^\S\n]*"
        )),
        zh_local: Re::new(&format!(
            r"(?P<agency>本报|本台|[\u4e00-\u9fff]{{1,8}}?(?:日报网|报网|日报|社|报|网|台))(?:(?P<place>[\u4e00-\u9fff·]{{0,12}}?)(?P<date>(?:\d{{2,4}}年)?\d{{1,2}}月\d{{1,2}}日)电{NOT_DIAN}|讯)(?:[^\S\n]*[（(](?P<who>[^（()）\n。]{{1,40}})[）)])?[^\S\n]*"
        )),
        en_value: Re::new(r"[^\S\n]*(?P<value>[^\n)）\]】]{1,300})"),
        zh_source_value: Re::new(r"[^\S\n]*(?P<value>[^\s)）\]】【。，,；;|｜据]{1,30})"),
        zh_name_value: Re::new(
            r"[^\S\n]*(?P<value>(?:[^\s)）\]】【。，,；;|｜:：]{1,12}(?:[ \t\u3000](?![^\s:：]{1,8}[:：])[^\s)）\]】【。，,；;|｜:：]{1,8}){0,3})?)",
        ),
        copyright: Re::new(
            r"(?:Copyright|COPYRIGHT)?[^\S\n]*(?:©|\([cC]\))?[^\S\n]*(?:\d{4}(?:[-–]\d{4})?[^\S\n]*,?)?[^\S\n]*(?P<holder>[^\n.©]{1,60}?)\.?(?:[^\S\n]*All [Rr]ights [Rr]eserved\.?)?(?:[^\S\n]*This material may not be published, broadcast, rewritten,? or redistributed\.?)?[^\S\n]*(?=\r?\n|\Z)",
        ),
        end_name: Re::new(r"[（(][\u4e00-\u9fff·]{1,8}[）)]"),
        mention_after: Re::new(&format!(
            r"(?:[ \t\u00a0]+(?:[Nn]ews )?[Aa]gency)?(?:['’]s)?,?[ \t\u00a0]+(?:(?:has|had|also|earlier|later|first)[ \t\u00a0]+)?(?:reported|reports|said|says|quoted|cited|wrote|added|learned|learnt|confirmed)\b|[^\S\n]*(?:记者)?(?:报道|消息|称|援引|发布|披露|获悉|评论|指出|电{NOT_DIAN})"
        )),
        mention_before: Re::new(
            r"(?:(?<![A-Za-z])(?:[Aa]ccording to|[Tt]old|[Rr]eported by|[Qq]uoted by|[Cc]ited by|[Ii]nterview with|[Rr]eports? (?:by|from))[ \t\u00a0]+(?:(?:the|a)[ \t\u00a0]+)?|(?:据|援引|引述|引用|转引自|转自|综合|接受)(?:外媒|媒体)?[^\S\n]*)\Z",
        ),
        sentence_end: Re::new(r"[.!?][^\S\n]+(?=\S)"),
        trailers: WIRE_TRAILERS
            .iter()
            .map(|t| {
                let words: Vec<String> = t
                    .split(' ')
                    .map(|w| {
                        if w == "{name}" {
                            r"(?P<name>[^\n]{1,80}?)".to_string()
                        } else {
                            fancy_regex::escape(w).into_owned()
                        }
                    })
                    .collect();
                Re::new(&format!("(?i:{})", words.join(r"[^\S\n]+")))
            })
            .collect(),
        link: Re::new(LINK),
    }
});

/// A closing line pointing to the full story elsewhere ("Read the full story at URL",
/// "Originally published at Reuters", "阅读全文：URL"): the lead words, then a URL (its
/// host in `host`) or a site's name (`site`), filling the line; a hard wrap may put the
/// URL on the next line, and a wrap by width (CJK text) may break its path across lines
/// (each continuation a run of URL characters with a digit, `/`, `?`, `#`, `=`, `&` or
/// `%` in it, so that a sign-off such as "Reuter" is not taken along). New since dedup
/// 0.1 (the reference has it too).
pub const LINK: &str = concat!(
    r"(?:(?i:read[^\S\n]+(?:the[^\S\n]+)?(?:full|complete|whole|entire|original)[^\S\n]+(?:story|article|report)",
    r"|read[^\S\n]+(?:the[^\S\n]+)?rest[^\S\n]+of[^\S\n]+(?:the|this)[^\S\n]+(?:story|article)",
    r"|read[^\S\n]+more|continue[^\S\n]+reading(?:[^\S\n]+(?:the|this)[^\S\n]+(?:story|article))?",
    r"|(?:this[^\S\n]+(?:story|article)[^\S\n]+(?:was[^\S\n]+)?)?(?:originally|first)[^\S\n]+(?:published|appeared))",
    r"(?:[^\S\n]+(?i:at|on|in|from|by|via))?[^\S\n]*[:：]?",
    r"|阅读全文[^\S\n]*[:：]?|查看原文[^\S\n]*[:：]?|原文链接[^\S\n]*[:：]?|原文地址[^\S\n]*[:：]?)",
    r"(?:[^\S\n]*\n)?[^\S\n]*",
    r"(?:(?P<url>(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?P<host>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})(?::[0-9]+)?(?:[/?#][^\s]*(?:\n[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[0-9/?#=&%][A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*)*)?)",
    r"|(?P<site>(?:[Tt]he[^\S\n]+)?[A-Z][\w&'’.\-]*(?:[^\S\n]+(?:[A-Z0-9][\w&'’.\-]*|of|the|and|&|for|on)){0,5}))",
    r"[^\S\n]*[.!]?[^\S\n]*(?:\n|\Z)",
);

/// Trailers that credit the wires they name (see `dedup/credits.py`).
pub const WIRE_TRAILERS: &[&str] = &[
    "{name} contributed to this report",
    "{name} contributed to this story",
    "{name} contributed to this article",
    "{name} contributed reporting",
    "{name} contributed",
    "additional reporting by {name}",
    "with additional reporting by {name}",
    "with additional reporting from {name}",
    "with reporting by {name}",
    "with reporting from {name}",
    "reporting by {name}",
    "includes reporting by {name}",
    "with files from {name}",
    "with material from {name}",
    "with input from {name}",
    "information from {name} was used in this report",
    "material from {name} was used in this report",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pattern is compiled as its calls first need it: every form of every
    /// one compiles (a broken constant fails here, not on some input).
    #[test]
    fn every_form_of_every_pattern_compiles() {
        let p = &*PATTERNS;
        let all = [
            &p.en_date,
            &p.code_split,
            &p.paren,
            &p.place_suffix,
            &p.ur_codeless,
            &p.codeless,
            &p.byline,
            &p.byline_split,
            &p.zh_byline,
            &p.zh_after,
            &p.zh_local,
            &p.en_value,
            &p.zh_source_value,
            &p.zh_name_value,
            &p.copyright,
            &p.end_name,
            &p.mention_after,
            &p.mention_before,
            &p.sentence_end,
            &p.link,
        ];
        for re in all.into_iter().chain(&p.trailers) {
            re.compile_all();
        }
    }
}
