//! Text tables in the `global.table_format` styles operators know from Python's `tabulate`
//! (`plain`, `simple`, `github`/`pipe`, `grid`, `psql`); other names fall back to `plain`.

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

/// Renders `rows` under `header` in `style`, max cell width `max_width` (0: unlimited).
#[must_use]
pub fn render(style: &str, header: &[&str], rows: &[Vec<String>], max_width: usize) -> String {
    let clip = |s: &String| {
        if max_width > 0 && s.chars().count() > max_width {
            s.chars().take(max_width).collect()
        } else {
            s.clone()
        }
    };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(clip).collect()).collect();
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
        assert_eq!(render("plain", &["t"], &[vec!["abcdef".to_owned()]], 3), "t\nabc\n");
    }
}
