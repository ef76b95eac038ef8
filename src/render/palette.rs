//! One colour and one letter per module, fixed: messaging is the same azure `M` in every report
//! and every format (HTML charts and legends, terminal bars, Markdown legends), so two weekly
//! reports can be compared at a glance.
//!
//! The colours are Martin Krzywinski's 15-colour palette for colour-blind readers (chosen to stay
//! apart under protanopia, deuteranopia and tritanopia), with a burnt orange in place of its
//! tyrian purple, which next to its dark red was hard to tell apart even with full colour vision.
//! They are assigned so that modules often seen side by side (media and audio-video, system and
//! sdk, login and friends) differ in lightness as well as hue. Where colour cannot tell modules apart (a 16-colour terminal, a printout, no
//! colour at all) the letters can: they are unique and stay the same.

use anstyle::{Color, RgbColor, Style};

use crate::catalog::Module;

/// How many colours a terminal shows, as it says through `COLORTERM` and `TERM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorDepth {
    /// The 16 basic ANSI colours: not enough for 15 modules, so bars keep their letters.
    #[default]
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit colour.
    TrueColor,
}

/// How a module is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleMark {
    /// An upper-case letter, unique among modules.
    pub letter: char,
    /// The colour, as red, green and blue.
    pub rgb: (u8, u8, u8),
}

impl ModuleMark {
    /// The colour as CSS writes it: `#009ffa`.
    pub fn hex(&self) -> String {
        let (r, g, b) = self.rgb;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// A terminal style with this colour, as close as a terminal of `depth` can show it.
    pub fn style(&self, depth: ColorDepth) -> Style {
        let (r, g, b) = self.rgb;
        let rgb = RgbColor(r, g, b);
        let color = match depth {
            ColorDepth::TrueColor => Color::Rgb(rgb),
            ColorDepth::Ansi256 => Color::Ansi256(anstyle_lossy::rgb_to_xterm(rgb)),
            ColorDepth::Ansi16 => Color::Ansi(anstyle_lossy::rgb_to_ansi(
                rgb,
                anstyle_lossy::palette::DEFAULT,
            )),
        };
        Style::new().fg_color(Some(color))
    }
}

/// The letter and colour of `module`.
pub const fn mark(module: Module) -> ModuleMark {
    let (letter, rgb) = match module {
        Module::Login => ('L', (0xf6, 0x02, 0x39)),
        Module::Auth => ('U', (0xef, 0x00, 0x96)),
        Module::Account => ('A', (0x00, 0x81, 0x69)),
        Module::Messaging => ('M', (0x00, 0x9f, 0xfa)),
        Module::Groups => ('G', (0x94, 0x00, 0xe6)),
        Module::Blacklist => ('B', (0x6a, 0x02, 0x13)),
        Module::DoNotDisturb => ('D', (0x00, 0x86, 0x07)),
        Module::Friends => ('F', (0x00, 0xe3, 0x07)),
        Module::Chatroom => ('C', (0xff, 0x71, 0xfd)),
        Module::Media => ('E', (0x00, 0xdc, 0xb5)),
        Module::AudioVideo => ('V', (0xb1, 0x59, 0x28)),
        Module::Push => ('P', (0xff, 0xcf, 0xe2)),
        Module::Network => ('N', (0x00, 0x3c, 0x86)),
        Module::Sdk => ('K', (0x7c, 0xff, 0xfa)),
        Module::System => ('S', (0xff, 0xdc, 0x3d)),
    };
    ModuleMark { letter, rgb }
}

/// How unknown codes are drawn: grey, `?`.
pub const UNKNOWN: ModuleMark = ModuleMark {
    letter: '?',
    rgb: (0xba, 0xb0, 0xac),
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_module_has_its_own_letter_and_colour() {
        let marks: Vec<ModuleMark> = Module::ALL
            .iter()
            .map(|&m| mark(m))
            .chain([UNKNOWN])
            .collect();
        let letters: BTreeSet<char> = marks.iter().map(|m| m.letter).collect();
        let colours: BTreeSet<(u8, u8, u8)> = marks.iter().map(|m| m.rgb).collect();
        assert_eq!(letters.len(), Module::ALL.len() + 1);
        assert_eq!(colours.len(), Module::ALL.len() + 1);
        for m in Module::ALL {
            let letter = mark(m).letter;
            assert!(letter.is_ascii_uppercase(), "{m}: {letter}");
        }
    }

    #[test]
    fn colours_degrade_to_what_the_terminal_shows() {
        let m = mark(Module::Messaging);
        assert_eq!(m.hex(), "#009ffa");
        assert_eq!(
            m.style(ColorDepth::TrueColor).get_fg_color(),
            Some(Color::Rgb(RgbColor(0x00, 0x9f, 0xfa)))
        );
        assert!(matches!(
            m.style(ColorDepth::Ansi256).get_fg_color(),
            Some(Color::Ansi256(_))
        ));
        assert!(matches!(
            m.style(ColorDepth::Ansi16).get_fg_color(),
            Some(Color::Ansi(_))
        ));
    }

    /// In 256 colours, no two modules fall on the same palette entry.
    #[test]
    fn modules_stay_apart_in_256_colours() {
        let entries: BTreeSet<u8> = Module::ALL
            .iter()
            .map(
                |&m| match mark(m).style(ColorDepth::Ansi256).get_fg_color() {
                    Some(Color::Ansi256(c)) => c.0,
                    other => panic!("{other:?}"),
                },
            )
            .collect();
        assert_eq!(entries.len(), Module::ALL.len());
    }
}
