//! Text tables in the `global.table_format` styles operators know from Python's `tabulate`
//! (`plain`, `simple`, `github`/`pipe`, `grid`, `psql`); other names fall back to `plain`.
//! A cell longer than `global.table_max_col_width` wraps onto more lines (as tabulate's
//! `maxcolwidths` does): nothing an operator needs, such as a history reason, is ever cut.

fn widths(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .fold(h.chars().count(), usize::max)
        })
        .collect()
}

fn line(cells: &[String], w: &[usize], (left, sep, right): (&str, &str, &str)) -> String {
    let padded: Vec<String> = cells.iter().zip(w).map(|(c, w)| format!("{c:<w$}")).collect();
    format!("{left}{}{right}", padded.join(sep)).trim_end().to_owned() + "\n"
}

fn rule(w: &[usize], (left, mid, right): (&str, &str, &str), fill: char, pad: usize) -> String {
    let parts: Vec<String> = w.iter().map(|n| fill.to_string().repeat(n + pad)).collect();
    format!("{left}{}{right}\n", parts.join(mid))
}

/// Splits `cell` into lines of at most `width` characters, at spaces where it can.
fn wrap(cell: &str, width: usize) -> Vec<String> {
    if width == 0 || cell.chars().count() <= width {
        return vec![cell.to_owned()];
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in cell.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let used = current.chars().count();
        if used > 0 && used + 1 + word.len() <= width {
            current.push(' ');
            current.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut current));
        }
        // A word longer than the column is cut into pieces, never dropped.
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        current = word.into_iter().collect();
    }
    lines.push(current);
    lines
}

/// One table row per text line: a row with wrapped cells takes several.
fn wrapped_rows(rows: &[Vec<String>], max_width: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for row in rows {
        let cells: Vec<Vec<String>> = row.iter().map(|c| wrap(c, max_width)).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..height {
            out.push(cells.iter().map(|c| c.get(i).cloned().unwrap_or_default()).collect());
        }
    }
    out
}

/// Renders `rows` under `header` in `style`; cells wider than `max_width` wrap (0: never).
#[must_use]
pub fn render(style: &str, header: &[&str], rows: &[Vec<String>], max_width: usize) -> String {
    let rows = wrapped_rows(rows, max_width);
    let w = widths(header, &rows);
    let head: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let mut out = String::new();
    match style {
        "simple" => {
            out += &line(&head, &w, ("", "  ", ""));
            out += &rule(&w, ("", "  ", ""), '-', 0);
            rows.iter().for_each(|r| out += &line(r, &w, ("", "  ", "")));
        }
        "github" | "pipe" => {
            out += &line(&head, &w, ("| ", " | ", " |"));
            out += &rule(&w, ("|", "|", "|"), '-', 2);
            rows.iter().for_each(|r| out += &line(r, &w, ("| ", " | ", " |")));
        }
        "grid" | "psql" => {
            let border = rule(&w, ("+", "+", "+"), '-', 2);
            out += &border;
            out += &line(&head, &w, ("| ", " | ", " |"));
            out += &if style == "grid" {
                rule(&w, ("+", "+", "+"), '=', 2)
            } else {
                rule(&w, ("|", "+", "|"), '-', 2)
            };
            rows.iter().for_each(|r| out += &line(r, &w, ("| ", " | ", " |")));
            out += &border;
        }
        _ => {
            out += &line(&head, &w, ("", "  ", ""));
            rows.iter().for_each(|r| out += &line(r, &w, ("", "  ", "")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn styles() {
        let rows = vec![vec!["V1".to_owned(), "auto".to_owned()]];
        assert_eq!(render("plain", &["tape", "mode"], &rows, 0), "tape  mode\nV1    auto\n");
        assert_eq!(
            render("github", &["tape", "mode"], &rows, 0),
            "| tape | mode |\n|------|------|\n| V1   | auto |\n"
        );
        assert_eq!(
            render("plain", &["t"], &[vec!["abcdef".to_owned()]], 3),
            "t\nabc\ndef\n"
        );
    }

    #[test]
    fn long_cells_wrap_at_spaces_and_lose_nothing() {
        let reason = "tape returned by the vendor after a head crash, keep out of pools";
        let rows = vec![vec!["V1".to_owned(), reason.to_owned()]];
        let text = render("plain", &["tape", "reason"], &rows, 20);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 4 + 2 + 20), "{text}");
        let rejoined: Vec<&str> = lines[1..].iter().map(|l| l[6..].trim()).collect();
        assert_eq!(rejoined.join(" "), reason);
        assert!(lines[1].starts_with("V1    "), "{text}");
        assert!(lines[2].starts_with("      "), "{text}");
    }
}
