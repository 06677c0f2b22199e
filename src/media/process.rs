//! Turning an upload into the image we store: its type found from its bytes (never its
//! name or declared type), its size checked from the header before any pixel is
//! decoded, decoded within memory limits, turned upright (EXIF orientation), and encoded
//! anew, which leaves every piece of metadata behind (EXIF with GPS positions, XMP,
//! comments). Then the responsive variants, made from the stored image. CPU work only:
//! callers run it on a blocking thread, holding no database connection.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// JPEG quality of stored images and variants.
const JPEG_QUALITY: u8 = 85;

/// The image types Newsdesk stores. AVIF is refused: decoding it needs a C AV1 decoder
/// (dav1d) that the build does not carry, and every browser that shows AVIF shows WebP,
/// which the variants include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::WebP => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::WebP => "webp",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Gif, Self::WebP]
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Gif, Self::WebP]
            .into_iter()
            .find(|k| k.extension() == extension)
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Gif => ImageFormat::Gif,
            Self::WebP => ImageFormat::WebP,
        }
    }
}

/// An encoded image.
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
}

impl Encoded {
    /// SHA-256 of the bytes, in hex: the image's address in the store.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(&self.bytes))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The type of `bytes`, found from their content; 415 for anything but JPEG, PNG, GIF
/// and WebP (SVG, HTML, AVIF, …).
pub fn sniff(field: &str, bytes: &[u8]) -> Result<Kind, ApiError> {
    let kind = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Kind::Jpeg,
        Ok(ImageFormat::Png) => Kind::Png,
        Ok(ImageFormat::Gif) => Kind::Gif,
        Ok(ImageFormat::WebP) => Kind::WebP,
        Ok(ImageFormat::Avif) => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "{field}: AVIF images are not accepted; send JPEG, PNG, GIF or WebP"
            )));
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "{field}: the file is not a JPEG, PNG, GIF or WebP image (its content decides, not its name)"
            )));
        }
    };
    Ok(kind)
}

/// Decodes an upload and encodes it anew in its own type, upright and without metadata.
/// Refuses, from the header alone, an image of more than `max_pixels` pixels.
pub fn prepare(field: &str, upload: &[u8], max_pixels: u64) -> Result<Encoded, ApiError> {
    let kind = sniff(field, upload)?;
    let image = decode(field, upload, kind, max_pixels)?;
    encode(&image, kind).map_err(ApiError::internal)
}

fn reader(bytes: &[u8], kind: Kind) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), kind.format())
}

fn decode(
    field: &str,
    bytes: &[u8],
    kind: Kind,
    max_pixels: u64,
) -> Result<DynamicImage, ApiError> {
    let unreadable =
        |e: image::ImageError| ApiError::invalid(field, format!("the image cannot be read: {e}"));
    // The header says how large the image is; a decompression bomb (a few kilobytes
    // claiming 100000×100000 pixels) stops here, before any pixel memory is taken.
    let (width, height) = reader(bytes, kind).into_dimensions().map_err(unreadable)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels || width == 0 || height == 0 {
        return Err(ApiError::invalid(
            field,
            format!(
                "the image is {width}×{height} pixels; at most {max_pixels} pixels are accepted"
            ),
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // Pixels at up to 16 bytes (RGBA, 32-bit float) and room for the decoder's buffers.
    limits.max_alloc = Some(pixels.saturating_mul(16).saturating_add(64 << 20));
    let mut reader = reader(bytes, kind);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Encodes `image` as `kind`. JPEG takes no alpha: it is dropped.
pub fn encode(image: &DynamicImage, kind: Kind) -> Result<Encoded, image::ImageError> {
    let mut bytes = Vec::new();
    match kind {
        Kind::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))?;
        }
        Kind::WebP => {
            let pixels = if image.color().has_alpha() {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(image.to_rgb8())
            };
            pixels.write_with_encoder(WebPEncoder::new_lossless(&mut bytes))?;
        }
        Kind::Png | Kind::Gif => {
            let pixels = if image.color().has_alpha() {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(image.to_rgb8())
            };
            let pixels = if kind == Kind::Gif {
                DynamicImage::ImageRgba8(pixels.to_rgba8())
            } else {
                pixels
            };
            pixels.write_to(&mut Cursor::new(&mut bytes), kind.format())?;
        }
    }
    Ok(Encoded {
        bytes,
        kind,
        width: image.width(),
        height: image.height(),
    })
}

/// One responsive variant: its file name under `media/<hash>/` and its bytes.
pub struct Variant {
    pub name: String,
    pub encoded: Encoded,
}

/// The file name of the stored image itself.
pub fn original_name(kind: Kind) -> String {
    format!("original.{}", kind.extension())
}

/// The variants of a stored image: for each width below its own (never upscaled), one in
/// its type and one in WebP (only one when it is WebP). Each is made from the next larger
/// one, which is much faster than from the original each time and looks the same.
pub fn variants(stored: &[u8], kind: Kind, widths: &[u32]) -> Result<Vec<Variant>, String> {
    let mut current = reader(stored, kind)
        .decode()
        .map_err(|e| format!("stored image unreadable: {e}"))?;
    let mut widths: Vec<u32> = widths
        .iter()
        .copied()
        .filter(|w| *w < current.width())
        .collect();
    widths.sort_unstable_by(|a, b| b.cmp(a));
    widths.dedup();
    let mut out = Vec::new();
    for width in widths {
        let height = (u64::from(current.height()) * u64::from(width))
            .div_ceil(u64::from(current.width()))
            .max(1);
        let height = u32::try_from(height).unwrap_or(u32::MAX);
        current = current.resize_exact(width, height, FilterType::Triangle);
        let mut kinds = vec![kind];
        if kind != Kind::WebP {
            kinds.push(Kind::WebP);
        }
        for target in kinds {
            let encoded = encode(&current, target).map_err(|e| format!("encoding: {e}"))?;
            out.push(Variant {
                name: format!("w{width}.{}", target.extension()),
                encoded,
            });
        }
    }
    Ok(out)
}

/// Whether `name` is a file name Newsdesk gives: `original.<ext>` or `w<width>.<ext>`.
pub fn parse_variant_name(name: &str) -> Option<Kind> {
    let (stem, extension) = name.split_once('.')?;
    let kind = Kind::from_extension(extension)?;
    let fine = stem == "original"
        || stem.strip_prefix('w').is_some_and(|w| {
            !w.is_empty() && w.len() <= 5 && w.bytes().all(|b| b.is_ascii_digit())
        });
    fine.then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_ours_only() {
        assert_eq!(parse_variant_name("original.jpg"), Some(Kind::Jpeg));
        assert_eq!(parse_variant_name("w320.webp"), Some(Kind::WebP));
        for bad in [
            "w.jpg",
            "x320.jpg",
            "original.svg",
            "w320",
            "../a.jpg",
            "w320.jpg.png",
        ] {
            assert_eq!(parse_variant_name(bad), None, "{bad}");
        }
    }
}
