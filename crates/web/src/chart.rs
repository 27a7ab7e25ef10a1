//! The console's charts, drawn on the server as inline SVG: nothing to load,
//! nothing to run, the page's CSP unchanged. A column chart is a handful of
//! rectangles, so it is written here rather than through a plotting crate
//! whose text layout would need a font engine in the binary; the words
//! around it (title, summary, axis dates) are HTML, so they follow the
//! page's language and direction.

use std::fmt::Write as _;

/// The chart's drawing area, in SVG units (it scales to its box).
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 140.0;

/// Columns for `values`, left to right, scaled to the largest. Each column
/// carries its own `<title>` (its label and value) for pointer and
/// assistive technology; the figure's summary is the caller's.
pub(crate) fn columns(values: &[(String, i64)], summary: &str) -> String {
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let step = WIDTH / n;
    let gap = if step > 4.0 { step * 0.15 } else { 0.0 };
    let mut svg = String::with_capacity(64 * values.len() + 256);
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(summary)
    );
    let _ = write!(svg, "<line x1=\"0\" y1=\"{HEIGHT}\" x2=\"{WIDTH}\" y2=\"{HEIGHT}\" class=\"axis\"/>");
    for (i, (label, value)) in values.iter().enumerate() {
        let h = (*value as f64 / max * (HEIGHT - 4.0)).max(if *value > 0 { 1.5 } else { 0.0 });
        let x = i as f64 * step + gap / 2.0;
        let _ = write!(
            svg,
            "<rect x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{h:.2}\"><title>{}: {value}</title></rect>",
            HEIGHT - h,
            (step - gap).max(0.5),
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn columns_scale_to_the_largest_and_escape_their_words() {
        let svg = columns(&[("lun. 1".into(), 2), ("<b>".into(), 4), ("mer. 3".into(), 0)], "3 \"jours\"");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("height=\"136.00\""), "the largest fills the height: {svg}");
        assert!(svg.contains("height=\"0.00\""), "a day without any is flat");
        assert!(svg.contains("&lt;b&gt;: 4") && svg.contains("aria-label=\"3 &quot;jours&quot;\""));
        assert!(!columns(&[], "rien").contains("<rect"), "no data, no columns, no panic");
    }
}
