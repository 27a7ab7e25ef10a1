//! The QR code of a ticket code, as staff scan it at the door.
//!
//! The code is encoded as printed (`XXXXX-XXXXX`), upper case, which QR's
//! alphanumeric mode stores compactly: a small, sparse symbol that cheap phone
//! cameras read from a cracked screen in a badly lit hall.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

use crate::error::{DomainError, DomainResult};
use crate::values::TicketCode;

fn code(ticket: &TicketCode) -> DomainResult<QrCode> {
    // Level M: survives a 15 % damaged or smudged symbol, still version 1 here.
    QrCode::with_error_correction_level(ticket.display(), EcLevel::M)
        .map_err(|e| DomainError::internal(format!("QR encoding: {e}")))
}

/// An SVG image of the ticket's QR code, with its quiet zone.
pub fn svg(ticket: &TicketCode) -> DomainResult<String> {
    Ok(code(ticket)?
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// A PNG of the ticket's QR code (8-bit greyscale, `scale` pixels per module,
/// 4-module quiet zone): for email clients, which do not display SVG.
pub fn png(ticket: &TicketCode, scale: u32) -> DomainResult<Vec<u8>> {
    let qr = code(ticket)?;
    let modules = u32::try_from(qr.width()).map_err(|e| DomainError::internal(e.to_string()))?;
    let colors = qr.to_colors();
    let quiet = 4;
    let scale = scale.clamp(1, 32);
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255u8; (side * side) as usize];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let i = u32::try_from(i).map_err(|e| DomainError::internal(e.to_string()))?;
        let (mx, my) = (i % modules + quiet, i / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            let row = (y * side) as usize;
            pixels[row + (mx * scale) as usize..row + ((mx + 1) * scale) as usize].fill(0);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| DomainError::internal(format!("PNG: {e}")))?;
    writer.write_image_data(&pixels).map_err(|e| DomainError::internal(format!("PNG: {e}")))?;
    writer.finish().map_err(|e| DomainError::internal(format!("PNG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_png_encode_the_printed_code() {
        let ticket = TicketCode::parse("ab3k7-9xq2p").expect("code");
        let svg = svg(&ticket).expect("svg");
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("#000000"), "{svg}");
        let png = png(&ticket, 4).expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // Version 1 (21 modules) + 2×4 quiet = 29 modules, ×4 px.
        let decoder = ::png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().expect("valid PNG");
        assert_eq!((reader.info().width, reader.info().height), (116, 116));
    }
}
