//! PDF layout of the formatted views: positions text, bars and tables on pages. It does
//! no arithmetic on reported figures; every figure arrives as text from `view`.
//!
//! Text is measured with the embedded fonts' advance widths, wrapped (or shortened with
//! an ellipsis) to fit, and drawn run by run: each character in the first font that has
//! a glyph for it (regular or bold, then the template's fallbacks), and a visible `?` in
//! the regular font when none has. Right-to-left runs are reordered for display.
//! Documents are rendered one at a time with fixed font ids, so output is deterministic.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, RawImage, Rect, TextItem, WindingOrder, XObjectTransform,
};

use super::template::{Colors, Rgb, Template};
use super::view::{BarTone, CustomerView, Footer, SummaryView, Table};

/// The template's fonts, parsed once per run.
pub(crate) struct FontSet {
    faces: Vec<ParsedFont>,
    upem: Vec<f32>,
}

const REGULAR: usize = 0;
const BOLD: usize = 1;

impl FontSet {
    pub(crate) fn load(t: &Template) -> Result<FontSet, String> {
        let mut faces = Vec::new();
        let all = [&t.regular_font, &t.bold_font].into_iter().chain(t.fallback_fonts.iter());
        for (k, bytes) in all.enumerate() {
            let mut warnings = Vec::new();
            let face = ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| format!("font {k} of the template cannot be parsed"))?;
            faces.push(face);
        }
        let upem = faces.iter().map(|f| f.font_metrics.units_per_em.max(1) as f32).collect();
        Ok(FontSet { faces, upem })
    }

    fn glyph(&self, face: usize, c: char) -> Option<u16> {
        self.faces[face].lookup_glyph_index(c as u32).filter(|&g| g != 0)
    }

    /// The face to draw `c` with, or `None` when no face has it.
    fn face_for(&self, c: char, bold: bool) -> Option<usize> {
        let first = if bold { BOLD } else { REGULAR };
        std::iter::once(first).chain(2..self.faces.len()).find(|&f| self.glyph(f, c).is_some())
    }

    /// Splits display text into runs of one face each; missing glyphs become `?`.
    fn runs(&self, text: &str, bold: bool) -> Vec<(usize, String)> {
        let mut runs: Vec<(usize, String)> = Vec::new();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let (face, c) = match self.face_for(c, bold) {
                Some(f) => (f, c),
                None => (if bold { BOLD } else { REGULAR }, '?'),
            };
            match runs.last_mut() {
                Some((f, s)) if *f == face => s.push(c),
                _ => runs.push((face, c.to_string())),
            }
        }
        runs
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.runs(text, bold)
            .iter()
            .map(|(f, s)| {
                let units: f32 = s
                    .chars()
                    .map(|c| self.glyph(*f, c).map_or(0.0, |g| self.faces[*f].get_horizontal_advance(g) as f32))
                    .sum();
                units / self.upem[*f] * size
            })
            .sum()
    }

    /// Breaks text into lines no wider than `width`: at spaces where possible, anywhere
    /// in a word that is too long by itself (CJK has no spaces).
    pub(crate) fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size, bold) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// `text` on one line of `width`: cut, with an ellipsis, where it is too long.
    pub(crate) fn fit_line(&self, text: &str, width: f32, size: f32, bold: bool) -> String {
        if self.width(text, size, bold) <= width {
            return text.to_string();
        }
        let mut cut: String = text.to_string();
        while !cut.is_empty() && self.width(&format!("{cut}…"), size, bold) > width {
            cut.pop();
        }
        format!("{cut}…")
    }

    /// At most `max_lines` lines; the last one ends with an ellipsis if text was cut.
    pub(crate) fn wrap_max(&self, text: &str, width: f32, size: f32, bold: bool, max_lines: usize) -> Vec<String> {
        let mut lines = self.wrap(text, width, size, bold);
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            let last = lines.last_mut().expect("max_lines > 0");
            while !last.is_empty() && self.width(&format!("{last}…"), size, bold) > width {
                last.pop();
            }
            last.push('…');
        }
        lines
    }
}

/// Reorders a line for display when it contains right-to-left text.
fn visual(line: &str) -> String {
    let info = unicode_bidi::BidiInfo::new(line, None);
    if !info.has_rtl() {
        return line.to_string();
    }
    info.paragraphs.iter().map(|p| info.reorder_line(p, p.range.clone()).into_owned()).collect::<Vec<_>>().join(" ")
}

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb::new(c.0, c.1, c.2, None))
}

const MARGIN: f32 = 42.0;
const FOOTER_SPACE: f32 = 40.0;

/// Pages being laid out, with a cursor `y` measured from the top of the page.
struct Canvas<'a> {
    fonts: &'a FontSet,
    colors: Colors,
    w: f32,
    h: f32,
    pages: Vec<Vec<Op>>,
    /// The page drawing goes to: the last one while laying out, any one for footers.
    page: usize,
    y: f32,
    /// Ops that start each new page (a running header).
    running_header: Option<String>,
}

impl<'a> Canvas<'a> {
    fn new(fonts: &'a FontSet, t: &Template) -> Canvas<'a> {
        let (w, h) = t.page_size.points();
        Canvas { fonts, colors: t.colors, w, h, pages: vec![Vec::new()], page: 0, y: MARGIN, running_header: None }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.page]
    }

    fn content_width(&self) -> f32 {
        self.w - 2.0 * MARGIN
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        self.y = MARGIN;
        if let Some(h) = self.running_header.clone() {
            let muted = self.colors.muted;
            self.text(MARGIN, self.y + 8.0, 8.0, false, muted, &h);
            let rule = self.colors.rule;
            self.rect(MARGIN, self.y + 13.0, self.content_width(), 0.6, rule);
            self.y += 26.0;
        }
    }

    /// Starts a new page unless `needed` points fit above the footer.
    fn ensure(&mut self, needed: f32) {
        if self.y + needed > self.h - MARGIN - FOOTER_SPACE {
            self.new_page();
        }
    }

    /// Draws one line of text with its baseline at `baseline` (from the top).
    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, c: Rgb, text: &str) {
        let runs = self.fonts.runs(&visual(text), bold);
        if runs.is_empty() {
            return;
        }
        let y = self.h - baseline;
        let mut ops = vec![
            Op::StartTextSection,
            Op::SetFillColor { col: color(c) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
        ];
        for (face, s) in runs {
            ops.push(Op::SetFont { font: PdfFontHandle::External(FontId(format!("F{face}"))), size: Pt(size) });
            ops.push(Op::ShowText { items: vec![TextItem::Text(s)] });
        }
        ops.push(Op::EndTextSection);
        self.ops().extend(ops);
    }

    fn text_right(&mut self, right: f32, baseline: f32, size: f32, bold: bool, c: Rgb, text: &str) {
        let w = self.fonts.width(text, size, bold);
        self.text(right - w, baseline, size, bold, c, text);
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, c: Rgb) {
        let rect = Rect {
            x: Pt(x),
            y: Pt(self.h - top - h),
            width: Pt(w),
            height: Pt(h),
            mode: Some(PaintMode::Fill),
            winding_order: Some(WindingOrder::NonZero),
        };
        self.ops().extend([Op::SetFillColor { col: color(c) }, Op::DrawRectangle { rectangle: rect }]);
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, c: Rgb, dashed: bool) {
        let p = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(self.h - y) }, bezier: false };
        let line = Line { points: vec![p(x1), p(x2)], is_closed: false };
        let mut ops = vec![
            Op::SaveGraphicsState,
            Op::SetOutlineColor { col: color(c) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
        ];
        if dashed {
            ops.push(Op::SetLineDashPattern { dash: printpdf::LineDashPattern::new(0.0, &[3.0, 2.0]) });
        }
        ops.extend([Op::DrawLine { line }, Op::RestoreGraphicsState]);
        self.ops().extend(ops);
    }

    fn heading(&mut self, title: &str) {
        self.ensure(60.0);
        self.y += 14.0;
        let primary = self.colors.primary;
        self.text(MARGIN, self.y + 11.0, 12.0, true, primary, title);
        self.y += 16.0;
        let rule = self.colors.rule;
        self.rect(MARGIN, self.y, self.content_width(), 0.8, rule);
        self.y += 6.0;
    }

    fn paragraph(&mut self, text: &str, size: f32, c: Rgb) {
        let lh = size * 1.35;
        for para in text.split('\n').filter(|p| !p.trim().is_empty()) {
            for line in self.fonts.wrap(para, self.content_width(), size, false) {
                self.ensure(lh);
                self.text(MARGIN, self.y + size, size, false, c, &line);
                self.y += lh;
            }
            self.y += lh * 0.4;
        }
    }

    /// A heading kept on one page with its table's header and first row.
    fn titled_table(&mut self, title: &str, table: &Table, size: f32, empty: &str) {
        let (header_h, first_h) = self.table_start(table, size);
        self.ensure(36.0 + header_h + first_h);
        self.heading(title);
        self.table(table, size, empty);
    }

    /// The heights of a table's header and of its first row (or of the empty note).
    fn table_start(&self, table: &Table, size: f32) -> (f32, f32) {
        let total: f32 = table.widths.iter().sum();
        let (pad, lh) = (3.0, size * 1.3);
        let widths = table.widths.iter().map(|w| w / total * self.content_width());
        let lines = |cells: &[String], bold: bool, most: usize| {
            cells
                .iter()
                .zip(widths.clone())
                .map(|(c, w)| self.fonts.wrap_max(c, w - 2.0 * pad, size, bold, most).len())
                .max()
                .unwrap_or(1) as f32
        };
        let header = lines(&table.headers, true, 2) * lh + 2.0 * pad;
        let first = table.rows.first().map_or(1.0, |r| lines(r, false, 6)) * lh + 2.0 * pad;
        (header, first)
    }

    /// A table flowing over pages, with its header repeated on each page. Cells wrap to
    /// at most six lines, then end with an ellipsis.
    fn table(&mut self, table: &Table, size: f32, empty: &str) {
        let total: f32 = table.widths.iter().sum();
        let widths: Vec<f32> = table.widths.iter().map(|w| w / total * self.content_width()).collect();
        let pad = 3.0;
        let lh = size * 1.3;
        let fonts = self.fonts;
        let header_lines: Vec<Vec<String>> =
            table.headers.iter().zip(&widths).map(|(h, w)| fonts.wrap_max(h, w - 2.0 * pad, size, true, 2)).collect();
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let draw_header = |c: &mut Canvas| {
            let primary = c.colors.primary;
            c.rect(MARGIN, c.y, c.content_width(), header_h, primary);
            let mut x = MARGIN;
            for (lines, w) in header_lines.iter().zip(&widths) {
                for (k, l) in lines.iter().enumerate() {
                    c.text(x + pad, c.y + pad + size + k as f32 * lh, size, true, Rgb(1.0, 1.0, 1.0), l);
                }
                x += w;
            }
            c.y += header_h;
        };
        let (_, first_h) = self.table_start(table, size);
        self.ensure(header_h + first_h);
        draw_header(self);
        if table.rows.is_empty() {
            let muted = self.colors.muted;
            self.text(MARGIN + pad, self.y + pad + size, size, false, muted, empty);
            self.y += lh + 2.0 * pad;
            return;
        }
        for (n, row) in table.rows.iter().enumerate() {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&widths).map(|(c, w)| fonts.wrap_max(c, w - 2.0 * pad, size, false, 6)).collect();
            let row_h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
            if self.y + row_h > self.h - MARGIN - FOOTER_SPACE {
                self.new_page();
                draw_header(self);
            }
            if n % 2 == 1 {
                self.rect(MARGIN, self.y, self.content_width(), row_h, Rgb(0.95, 0.96, 0.975));
            }
            let mut x = MARGIN;
            for (lines, w) in cells.iter().zip(&widths) {
                for (k, l) in lines.iter().enumerate() {
                    self.text(x + pad, self.y + pad + size + k as f32 * lh, size, false, Rgb(0.1, 0.1, 0.12), l);
                }
                x += w;
            }
            self.y += row_h;
        }
        self.y += 4.0;
    }

    /// Key/value pairs in two columns.
    fn figures(&mut self, items: &[(String, String)], size: f32) {
        let col = self.content_width() / 2.0;
        let lh = size * 1.5;
        for pair in items.chunks(2) {
            self.ensure(lh);
            let mut lines_used = 1;
            for (j, (label, value)) in pair.iter().enumerate() {
                let x = MARGIN + j as f32 * col;
                let muted = self.colors.muted;
                self.text(x, self.y + size, size, false, muted, label);
                let lw = 92.0;
                let lines = self.fonts.wrap_max(value, col - lw - 6.0, size, true, 2);
                for (n, l) in lines.iter().enumerate() {
                    self.text(x + lw, self.y + size + n as f32 * lh * 0.8, size, true, Rgb(0.1, 0.1, 0.12), l);
                }
                lines_used = lines_used.max(lines.len());
            }
            self.y += lh + (lines_used - 1) as f32 * lh * 0.8;
        }
    }

    /// Adds "page x of y", the generation date and the fingerprint to every page.
    fn footers(&mut self, footer: &Footer, report_id: &str) {
        let n = self.pages.len();
        let (muted, rule) = (self.colors.muted, self.colors.rule);
        for k in 0..n {
            self.page = k;
            let base = self.h - MARGIN - 14.0;
            self.rect(MARGIN, base - 10.0, self.content_width(), 0.6, rule);
            let page = format!("Page {} of {n}", k + 1);
            // A long report id (a long customer id) ends with an ellipsis before the page number.
            let room = self.content_width() - self.fonts.width(&page, 7.0, false) - 12.0;
            let left = format!("Report {report_id} · generated {}", footer.generated);
            let left = self.fonts.fit_line(&left, room, 7.0, false);
            self.text(MARGIN, base, 7.0, false, muted, &left);
            self.text_right(self.w - MARGIN, base, 7.0, false, muted, &page);
            self.text(
                MARGIN,
                base + 10.0,
                6.5,
                false,
                muted,
                &format!("Data fingerprint (SHA-256): {}", footer.fingerprint),
            );
        }
    }

    fn into_pdf(
        self,
        title: &str,
        generated_unix: i64,
        logo: Option<&[u8]>,
        logo_ops: Vec<(usize, f32, f32, f32)>,
    ) -> Vec<u8> {
        let mut doc = PdfDocument::new(title);
        for (k, face) in self.fonts.faces.iter().enumerate() {
            doc.resources.fonts.map.insert(FontId(format!("F{k}")), printpdf::PdfFont::new(face.clone()));
        }
        if let Ok(dt) = printpdf::OffsetDateTime::from_unix_timestamp(generated_unix) {
            doc.metadata.info.creation_date = dt;
            doc.metadata.info.modification_date = dt;
            doc.metadata.info.metadata_date = dt;
        }
        doc.metadata.info.producer = format!("slareport {}", env!("CARGO_PKG_VERSION"));
        let mut pages = self.pages;
        if let Some(bytes) = logo {
            let mut warnings = Vec::new();
            if let Ok(image) = RawImage::decode_from_bytes(bytes, &mut warnings) {
                let px_w = image.width as f32;
                // A fixed id (not printpdf's process-wide counter) keeps bytes independent
                // of how many documents this process rendered before.
                let id = printpdf::XObjectId("IMG0".to_string());
                doc.resources.xobjects.map.insert(id.clone(), printpdf::XObject::Image(image.clone()));
                for (page, x, top, width) in logo_ops {
                    let scale = width / px_w;
                    let h = image.height as f32 * scale;
                    pages[page].push(Op::UseXobject {
                        id: id.clone(),
                        transform: XObjectTransform {
                            translate_x: Some(Pt(x)),
                            translate_y: Some(Pt(self.h - top - h)),
                            scale_x: Some(scale),
                            scale_y: Some(scale),
                            dpi: Some(72.0),
                            ..Default::default()
                        },
                    });
                }
            }
        }
        let (w, h) = (Mm::from(Pt(self.w)), Mm::from(Pt(self.h)));
        doc.with_pages(pages.into_iter().map(|ops| PdfPage::new(w, h, ops)).collect());
        let mut warnings = Vec::new();
        let mut lo = doc.to_lopdf_document(&PdfSaveOptions { subset_fonts: true, ..Default::default() }, &mut warnings);
        // printpdf would compress every stream at zlib's best level, most of a PDF's cost;
        // the default level makes files a few per cent larger in a fraction of the time.
        for object in lo.objects.values_mut() {
            if let lopdf::Object::Stream(stream) = object {
                compress(stream);
            }
        }
        let mut bytes = Vec::new();
        lo.save_to(&mut bytes).expect("writing to memory");
        deterministic_ids(bytes)
    }
}

/// Deflates a stream not already filtered, when that makes it smaller (as lopdf does).
fn compress(stream: &mut lopdf::Stream) {
    use std::io::Write;
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    if encoder.write_all(&stream.content).is_err() {
        return;
    }
    if let Ok(compressed) = encoder.finish()
        && compressed.len() + 19 < stream.content.len()
    {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}

/// Replaces the trailer's `/ID` strings, which printpdf draws from a process-wide counter,
/// with ones derived from the document's own bytes (same length, so offsets stay valid).
fn deterministic_ids(mut pdf: Vec<u8>) -> Vec<u8> {
    let Some(at) = pdf.windows(4).rposition(|w| w == b"/ID[") else { return pdf };
    let start = at + 4;
    let Some(len) = pdf[start..].iter().position(|&b| b == b']') else { return pdf };
    let ids = start..start + len;
    let mut blank = pdf.clone();
    blank[ids.clone()].fill(b' ');
    let digest = crate::common::sha256_hex(&blank).to_ascii_uppercase();
    let mut fresh = digest.bytes().cycle();
    for b in &mut pdf[ids] {
        if b.is_ascii_alphanumeric() {
            *b = fresh.next().expect("cycle");
        }
    }
    pdf
}

/// Header band shared by both documents; returns where the logo goes.
fn header(c: &mut Canvas, provider: &str, title: &str, subtitle: &str, has_logo: bool) -> Vec<(usize, f32, f32, f32)> {
    let primary = c.colors.primary;
    let muted = c.colors.muted;
    let mut logo = Vec::new();
    let mut x = MARGIN;
    if has_logo {
        logo.push((0, MARGIN, c.y, 90.0));
        x += 100.0;
    }
    c.text(x, c.y + 14.0, 13.0, true, primary, provider);
    c.text(x, c.y + 28.0, 9.0, false, muted, title);
    c.text_right(c.w - MARGIN, c.y + 14.0, 13.0, true, primary, subtitle);
    c.y += 40.0;
    let rule = c.colors.rule;
    c.rect(MARGIN, c.y, c.content_width(), 1.2, rule);
    c.y += 12.0;
    logo
}

fn bar_chart(c: &mut Canvas, v: &CustomerView) {
    let chart_h = 90.0;
    c.ensure(chart_h + 40.0);
    let top = c.y + 6.0;
    let left = MARGIN + 34.0;
    let width = c.content_width() - 34.0;
    let n = v.days.len().max(1) as f32;
    let slot = width / n;
    let (muted, rule) = (c.colors.muted, c.colors.rule);
    c.rect(left, top + chart_h, width, 0.6, rule);
    c.text_right(left - 3.0, top + 6.0, 6.5, false, muted, "100 %");
    c.text_right(left - 3.0, top + chart_h, 6.5, false, muted, &v.axis_floor);
    // Label every bar when they fit, else every second, third, ... bar.
    let widest = v.days.iter().map(|d| c.fonts.width(&d.label, 6.0, false)).fold(0.0f32, f32::max);
    let step = if v.days.len() <= 16 { 1 } else { (((widest + 3.0) / slot).ceil() as usize).max(2) };
    for (k, d) in v.days.iter().enumerate() {
        let x = left + k as f32 * slot + slot * 0.15;
        let bw = slot * 0.7;
        let tone = tone_color(c, d.tone);
        if d.tone == BarTone::OutsideContract {
            c.rect(x, top + chart_h - 2.0, bw, 2.0, tone);
        } else {
            let h = (d.height * chart_h).max(1.0);
            c.rect(x, top + chart_h - h, bw, h, tone);
        }
        if k % step == 0 {
            let lw = c.fonts.width(&d.label, 6.0, false);
            c.text(x + bw / 2.0 - lw / 2.0, top + chart_h + 9.0, 6.0, false, muted, &d.label);
        }
    }
    let ty = top + chart_h - v.target_height * chart_h;
    let accent = c.colors.accent;
    c.hline(left, left + width, ty, 0.8, accent, true);
    c.text(left + 2.0, ty - 2.5, 6.5, false, accent, &format!("target {}", v.target));
    c.y = top + chart_h + 16.0;
    for line in c.fonts.wrap(&v.days_caption, c.content_width(), 7.0, false) {
        c.text(MARGIN, c.y + 7.0, 7.0, false, muted, &line);
        c.y += 9.5;
    }
    colour_key(c, &v.days_key);
}

/// The template colour of a bar's tone.
fn tone_color(c: &Canvas, tone: BarTone) -> Rgb {
    match tone {
        BarTone::Met => c.colors.met,
        BarTone::Missed => c.colors.missed,
        BarTone::Partial => c.colors.partial,
        BarTone::OutsideContract => c.colors.excluded,
    }
}

/// A colour key on one line (wrapping when it is full): a swatch in the tone's colour,
/// then its words, so the key stays true whatever colours a template chooses.
fn colour_key(c: &mut Canvas, key: &[(BarTone, String)]) {
    const SWATCH: f32 = 7.0;
    let muted = c.colors.muted;
    let mut x = MARGIN;
    for (tone, words) in key {
        let w = SWATCH + 3.0 + c.fonts.width(words, 7.0, false);
        if x > MARGIN && x + w > MARGIN + c.content_width() {
            x = MARGIN;
            c.y += 10.0;
        }
        let colour = tone_color(c, *tone);
        c.rect(x, c.y + 0.5, SWATCH, SWATCH, colour);
        c.text(x + SWATCH + 3.0, c.y + 7.0, 7.0, false, muted, words);
        x += w + 12.0;
    }
    c.y += 10.0;
}

fn trend_chart(c: &mut Canvas, v: &CustomerView) {
    let chart_h = 60.0;
    c.ensure(chart_h + 30.0);
    let top = c.y + 4.0;
    let slot = (c.content_width() / 12.0).min(60.0);
    let (met, missed, muted, rule) = (c.colors.met, c.colors.missed, c.colors.muted, c.colors.rule);
    c.rect(MARGIN, top + chart_h, slot * v.trend.len() as f32, 0.6, rule);
    for (k, p) in v.trend.iter().enumerate() {
        let x = MARGIN + k as f32 * slot;
        let h = (p.height * chart_h).max(1.0);
        c.rect(x + slot * 0.2, top + chart_h - h, slot * 0.6, h, if p.met { met } else { missed });
        let lw = c.fonts.width(&p.label, 6.5, false);
        c.text(x + slot / 2.0 - lw / 2.0, top + chart_h + 9.0, 6.5, false, muted, &p.label);
        let vw = c.fonts.width(&p.value, 5.5, false);
        c.text(x + slot / 2.0 - vw / 2.0, top + chart_h - h - 2.5, 5.5, false, muted, &p.value);
    }
    c.y = top + chart_h + 18.0;
}

/// The customer PDF.
pub(crate) fn customer_pdf(fonts: &FontSet, t: &Template, v: &CustomerView, generated_unix: i64) -> Vec<u8> {
    let mut c = Canvas::new(fonts, t);
    let logo = header(&mut c, &v.provider, &v.report_title, &v.period_label, t.logo_png.is_some());
    c.running_header = Some(format!("{} · {} · {}", v.customer_name, v.period_label, v.report_title));
    let (primary, muted) = (c.colors.primary, c.colors.muted);
    for line in fonts.wrap_max(&v.customer_name, c.content_width(), 17.0, true, 2) {
        c.text(MARGIN, c.y + 17.0, 17.0, true, primary, &line);
        c.y += 21.0;
    }
    let meta = format!("Customer {} · Tier {} · {} · Report {}", v.customer_id, v.tier, v.timezone, v.report_id);
    for line in fonts.wrap_max(&meta, c.content_width(), 8.5, false, 2) {
        c.text(MARGIN, c.y + 9.0, 8.5, false, muted, &line);
        c.y += 12.0;
    }
    c.y += 8.0;
    // Headline box.
    let box_h = 74.0;
    let tone = if v.met { c.colors.met } else { c.colors.missed };
    c.rect(MARGIN, c.y, 5.0, box_h, tone);
    c.rect(MARGIN + 5.0, c.y, c.content_width() - 5.0, box_h, Rgb(0.965, 0.97, 0.98));
    c.text(MARGIN + 16.0, c.y + 16.0, 8.5, false, muted, &format!("Uptime this {}", v.noun));
    c.text(MARGIN + 16.0, c.y + 48.0, 30.0, true, tone, &v.uptime);
    let budget = fonts.wrap_max(&v.budget, c.content_width() / 2.0 - 10.0, 7.5, false, 1).remove(0);
    c.text(MARGIN + 16.0, c.y + 64.0, 7.5, false, muted, &budget);
    let right = c.w - MARGIN - 14.0;
    c.text_right(right, c.y + 22.0, 15.0, true, tone, &v.verdict);
    c.text_right(right, c.y + 38.0, 9.5, false, muted, &format!("Target {}", v.target));
    let credit = fonts.wrap_max(&v.credit, 260.0, 10.5, true, 1).remove(0);
    c.text_right(right, c.y + 54.0, 10.5, true, Rgb(0.1, 0.1, 0.12), &credit);
    let detail = fonts.wrap_max(&v.credit_detail, 260.0, 7.5, false, 1).remove(0);
    c.text_right(right, c.y + 64.0, 7.5, false, muted, &detail);
    c.y += box_h + 12.0;
    c.figures(&v.key_figures, 8.5);
    for w in &v.warnings {
        let missed = c.colors.missed;
        c.paragraph(&format!("Note: {w}"), 8.5, missed);
    }
    c.heading(&v.availability_title);
    bar_chart(&mut c, v);
    if v.trend.len() > 1 {
        c.heading(&v.trend_title);
        trend_chart(&mut c, v);
    }
    c.titled_table(&v.intervals_title, &v.intervals, 7.0, &format!("No downtime intervals this {}.", v.noun));
    c.titled_table(
        &v.incidents_title,
        &v.incidents,
        7.0,
        &format!("No incidents touched this customer this {}.", v.noun),
    );
    c.titled_table(&v.recovery_title, &v.recovery, 7.0, &format!("No major incident needed recovery this {}.", v.noun));
    c.titled_table(&v.maintenance_title, &v.maintenance, 7.0, &format!("No maintenance windows this {}.", v.noun));
    c.heading(&v.definitions_title);
    c.paragraph(&v.definitions, 8.0, Rgb(0.15, 0.15, 0.18));
    c.heading(&v.disclaimer_title);
    c.paragraph(&v.disclaimer, 7.5, muted);
    c.footers(&v.footer, &v.report_id);
    c.into_pdf(&v.document_title, generated_unix, t.logo_png.as_deref(), logo)
}

/// The portfolio summary PDF.
pub(crate) fn summary_pdf(fonts: &FontSet, t: &Template, v: &SummaryView, generated_unix: i64) -> Vec<u8> {
    let mut c = Canvas::new(fonts, t);
    let logo = header(&mut c, &v.provider, &v.title, &v.period_label, t.logo_png.is_some());
    c.running_header = Some(format!("{} · {}", v.title, v.period_label));
    c.figures(&v.headline, 10.0);
    c.titled_table(&v.tiers_title, &v.tiers, 8.0, "No tiers.");
    if let Some(rollup) = &v.rollup {
        c.titled_table("Roll-up of the period's months", rollup, 8.0, "No tiers.");
    }
    c.titled_table(&v.breaches_title, &v.breaches, 8.0, &format!("No customer breached its target this {}.", v.noun));
    c.titled_table(&v.worst_title, &v.worst, 8.0, &format!("No incidents this {}.", v.noun));
    if let Some((title, table)) = &v.backups {
        c.titled_table(title, table, 8.0, &format!("No backups this {}.", v.noun));
    }
    c.footers(&v.footer, &v.report_id);
    c.into_pdf(&v.document_title, generated_unix, t.logo_png.as_deref(), logo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> FontSet {
        FontSet::load(&Template::embedded_default()).unwrap()
    }

    #[test]
    fn characters_fall_back_by_coverage() {
        let f = fonts();
        let runs = f.runs("Acme 株式会社", false);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0], (REGULAR, "Acme ".to_string()));
        assert_eq!(runs[1].1, "株式会社");
        assert!(runs[1].0 >= 2, "CJK comes from a fallback face");
        // A character no face has (a private-use code point) shows as a visible '?'.
        assert_eq!(f.runs("a\u{E000}b", true), vec![(BOLD, "a?b".to_string())]);
    }

    #[test]
    fn wrapping_fits_the_width_and_ellipsis_marks_cuts() {
        let f = fonts();
        let text = "Harbour, Vale & Partners LLP with a very long trading name that goes on";
        let lines = f.wrap(text, 100.0, 10.0, false);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| f.width(l, 10.0, false) <= 100.0));
        assert_eq!(lines.join(" "), text);
        let cut = f.wrap_max(text, 100.0, 10.0, false, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
        let cjk = f.wrap("株式会社さくらデジタル株式会社さくらデジタル", 50.0, 10.0, false);
        assert!(cjk.len() > 1 && cjk.iter().all(|l| f.width(l, 10.0, false) <= 50.0));
    }

    #[test]
    fn right_to_left_text_is_reordered_for_display() {
        assert_eq!(visual("abc"), "abc");
        assert_eq!(visual("שלום"), "םולש");
    }
}
