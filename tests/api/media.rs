//! The media library through the HTTP layer and a real job worker: uploads re-encoded
//! without metadata (checked with an EXIF reader on the served bytes), types found from
//! content, decompression bombs refused from the header, responsive variants, the files
//! served immutable with ranges, sharing of identical images, deletion.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsdesk::jobs::worker::Workers;
use serde_json::{Value, json};

use crate::support::{TestApp, TestResponse};

const WAIT: Duration = Duration::from_secs(30);

pub const FAST_JOBS: &[(&str, &str)] = &[
    ("NEWSDESK_JOB_BACKOFF_MS", "50"),
    ("NEWSDESK_JOB_POLL_MS", "50"),
];

/// A multipart body: `(name, file name, bytes)`; no file name makes a text field.
pub fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----newsdesk-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A photo-like test image (a gradient, so encoders have something to do).
pub fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

pub fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A JPEG as a phone takes it: an EXIF block saying "rotate 90° clockwise" and where it
/// was taken (GPS 27°37'N), and a comment.
pub fn phone_jpeg(width: u32, height: u32) -> Vec<u8> {
    let jpeg = encoded(&picture(width, height), ImageFormat::Jpeg);
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: orientation 6, GPS IFD at 38.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0]);
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&[6, 0, 0, 0]);
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0]);
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: latitude N, 27/1 37/1 0/1 at 68.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0x00, 2, 0]);
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&[0x02, 0x00, 5, 0]);
    tiff.extend_from_slice(&3u32.to_le_bytes());
    tiff.extend_from_slice(&68u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(27u32, 1u32), (37, 1), (0, 1)] {
        tiff.extend_from_slice(&num.to_le_bytes());
        tiff.extend_from_slice(&den.to_le_bytes());
    }
    assert_eq!(tiff.len(), 92);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let comment = b"taken at home, 12 Garden Road";
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&u16::try_from(comment.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&jpeg[2..]);
    // The splice is read back as a phone's photo would be.
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&out))
        .unwrap();
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    out
}

/// A PNG whose header claims `width`×`height` pixels, with a few bytes of data.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    file_name: &str,
    bytes: &[u8],
    alt: &str,
) -> TestResponse {
    let (content_type, body) = form(&[
        ("file", Some(file_name), bytes),
        ("alt", None, alt.as_bytes()),
        ("credit", None, "萍乡日报 刘洋 摄".as_bytes()),
    ]);
    app.post("/api/v1/media")
        .bearer(token)
        .raw_body(&content_type, body)
        .send()
        .await
}

pub fn start_workers(app: &TestApp) -> Workers {
    Workers::start(&app.state, 1).expect("start workers")
}

pub async fn stop(workers: Workers) {
    actix_web::web::block(move || workers.stop())
        .await
        .expect("stop workers");
}

/// The image's entry once its variants are made.
pub async fn when_ready(app: &TestApp, id: i64) -> Value {
    let start = Instant::now();
    loop {
        let media = app
            .get(&format!("/api/v1/media/{id}"))
            .bearer(&app.editor)
            .send()
            .await
            .ok(200);
        if media["status"] == "ready" {
            return media;
        }
        assert!(start.elapsed() < WAIT, "variants not made: {media}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_no_metadata(bytes: &[u8], what: &str) {
    let read = exif::Reader::new().read_from_container(&mut Cursor::new(bytes));
    assert!(
        read.is_err(),
        "{what} still has EXIF: {:?}",
        read.map(|e| e.fields().count())
    );
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains("Exif") && !text.contains("Garden Road"),
        "{what} keeps metadata"
    );
}

#[actix_web::test]
async fn an_uploaded_photo_loses_its_gps_stands_upright_and_gets_variants() {
    let app = TestApp::with_env(FAST_JOBS).await;
    let created = upload(
        &app,
        &app.reporter,
        "IMG_2041.JPG",
        &phone_jpeg(800, 400),
        "武功山金顶的步道",
    )
    .await;
    let media = created.ok(201);
    let id = media["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/media/{id}").as_str())
    );
    // Orientation 6 applied: the 800×400 sensor image stands 400×800.
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(400), Some(800))
    );
    assert_eq!(media["type"], "image/jpeg");
    assert_eq!(media["status"], "processing");
    assert_eq!(media["credit"], "萍乡日报 刘洋 摄");
    let names: Vec<&str> = media["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["original.jpg"]);

    let workers = start_workers(&app);
    let ready = when_ready(&app, id).await;
    stop(workers).await;
    let variants = ready["variants"].as_array().unwrap();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    // 320 is the one default width below 400; never upscaled.
    assert_eq!(names, ["original.jpg", "w320.jpg", "w320.webp"]);
    for variant in variants {
        let url = variant["url"].as_str().unwrap();
        let file = app.get(url).send().await;
        assert_eq!(file.status.as_u16(), 200, "{url}");
        assert_eq!(file.header("content-type"), variant["type"].as_str());
        assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            file.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert!(file.header("etag").is_some());
        assert_eq!(file.body.len() as u64, variant["bytes"].as_u64().unwrap());
        let decoded = image::load_from_memory(&file.body).unwrap();
        assert_eq!(
            i64::from(decoded.width()),
            variant["width"].as_i64().unwrap()
        );
        assert_eq!(
            i64::from(decoded.height()),
            variant["height"].as_i64().unwrap()
        );
        assert_no_metadata(&file.body, url);
    }
    assert_eq!(
        (
            variants[1]["width"].as_i64(),
            variants[1]["height"].as_i64()
        ),
        (Some(320), Some(640))
    );
}

#[actix_web::test]
async fn types_are_found_from_content_never_from_names() {
    let app = TestApp::new().await;
    let png = encoded(&picture(60, 40), ImageFormat::Png);
    let as_jpg = upload(&app, &app.reporter, "photo.jpg", &png, "a PNG named .jpg")
        .await
        .ok(201);
    assert_eq!(as_jpg["type"], "image/png");
    assert!(
        as_jpg["variants"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/original.png")
    );

    let html = b"<!doctype html><html><script>alert(1)</script></html>";
    let refused = upload(&app, &app.reporter, "photo.png", html, "HTML named .png").await;
    assert!(
        refused.problem(415)["detail"]
            .as_str()
            .unwrap()
            .contains("not a JPEG, PNG, GIF or WebP")
    );

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#;
    upload(&app, &app.reporter, "logo.svg", svg, "an SVG")
        .await
        .problem(415);

    let gif = encoded(&picture(30, 20), ImageFormat::Gif);
    assert_eq!(
        upload(&app, &app.reporter, "x.bin", &gif, "a GIF")
            .await
            .ok(201)["type"],
        "image/gif"
    );
    let webp = encoded(&picture(30, 20), ImageFormat::WebP);
    assert_eq!(
        upload(&app, &app.reporter, "x", &webp, "a WebP")
            .await
            .ok(201)["type"],
        "image/webp"
    );
}

#[actix_web::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let app = TestApp::new().await;
    let bomb = bomb_png(100_000, 100_000);
    assert!(bomb.len() < 100);
    let started = Instant::now();
    let refused = upload(&app, &app.reporter, "bomb.png", &bomb, "a bomb").await;
    assert_eq!(refused.invalid_fields(), ["file"]);
    assert!(
        refused.text().contains("100000×100000"),
        "{}",
        refused.text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[actix_web::test]
async fn uploads_need_a_reporter_an_alt_text_and_one_file_within_limits() {
    let app = TestApp::with_env(&[("NEWSDESK_MEDIA_MAX_BYTES", "2048")]).await;
    let small = encoded(&picture(8, 8), ImageFormat::Png);
    let (content_type, body) = form(&[("file", Some("a.png"), &small), ("alt", None, b"x")]);
    app.post("/api/v1/media")
        .raw_body(&content_type, body)
        .send()
        .await
        .problem(401);

    let (content_type, body) = form(&[("file", Some("a.png"), &small)]);
    let missing_alt = app
        .post("/api/v1/media")
        .bearer(&app.reporter)
        .raw_body(&content_type, body)
        .send()
        .await;
    assert_eq!(missing_alt.invalid_fields(), ["alt"]);

    let (content_type, body) = form(&[("alt", None, b"nothing")]);
    let no_file = app
        .post("/api/v1/media")
        .bearer(&app.reporter)
        .raw_body(&content_type, body)
        .send()
        .await;
    assert_eq!(no_file.invalid_fields(), ["file"]);

    let (content_type, body) = form(&[
        ("file", Some("a.png"), &small),
        ("file", Some("b.png"), &small),
        ("alt", None, b"x"),
    ]);
    let two = app
        .post("/api/v1/media")
        .bearer(&app.reporter)
        .raw_body(&content_type, body)
        .send()
        .await;
    assert_eq!(two.invalid_fields(), ["file"]);

    let large = encoded(&picture(200, 200), ImageFormat::Png);
    assert!(large.len() > 2048);
    upload(&app, &app.reporter, "big.png", &large, "too big")
        .await
        .problem(413);

    app.post("/api/v1/media")
        .bearer(&app.reporter)
        .json(&json!({"alt": "JSON is not an upload"}))
        .send()
        .await
        .problem(415);
}

#[actix_web::test]
async fn the_same_image_uploaded_twice_is_stored_once() {
    let app = TestApp::with_env(FAST_JOBS).await;
    let jpeg = encoded(&picture(700, 500), ImageFormat::Jpeg);
    let first = upload(&app, &app.reporter, "a.jpg", &jpeg, "first caption")
        .await
        .ok(201);
    let workers = start_workers(&app);
    let first = when_ready(&app, first["id"].as_i64().unwrap()).await;
    stop(workers).await;
    let second = upload(&app, &app.editor, "b.jpg", &jpeg, "another story's caption")
        .await
        .ok(201);
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["hash"], second["hash"]);
    // The twin's variants are there at once: no work is done twice.
    assert_eq!(second["status"], "ready");
    assert_eq!(second["variants"], first["variants"]);
    let store = app.state.media.clone();
    let keys = actix_web::web::block(move || store.list("media/"))
        .await
        .unwrap()
        .unwrap();
    let hash = first["hash"].as_str().unwrap();
    assert!(
        keys.iter()
            .all(|k| k.starts_with(&format!("media/{hash}/"))),
        "{keys:?}"
    );
    // original + 320/640 in JPEG and WebP.
    assert_eq!(keys.len(), 5, "{keys:?}");

    let list = app
        .get("/api/v1/media")
        .bearer(&app.reporter)
        .send()
        .await
        .ok(200);
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["id"], second["id"]);
    let found = app
        .get("/api/v1/media?q=ANOTHER")
        .bearer(&app.reporter)
        .send()
        .await
        .ok(200);
    assert_eq!(found["meta"]["total"], 1);
    let mine = format!("/api/v1/media?uploaded_by={}", first["uploaded_by"]);
    assert_eq!(
        app.get(&mine).bearer(&app.reporter).send().await.ok(200)["meta"]["total"],
        1
    );
    app.get("/api/v1/media").send().await.problem(401);
}

#[actix_web::test]
async fn files_are_served_with_ranges_and_revalidation() {
    let app = TestApp::new().await;
    let png = encoded(&picture(50, 50), ImageFormat::Png);
    let media = upload(&app, &app.reporter, "a.png", &png, "a square")
        .await
        .ok(201);
    let url = media["variants"][0]["url"].as_str().unwrap().to_owned();
    let size = media["bytes"].as_u64().unwrap();

    let whole = app.get(&url).send().await;
    assert_eq!(whole.status.as_u16(), 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let etag = whole.header("etag").unwrap().to_owned();

    let part = app.get(&url).header("Range", "bytes=0-7").send().await;
    assert_eq!(part.status.as_u16(), 206);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 0-7/{size}").as_str())
    );
    assert_eq!(&part.body[..], &whole.body[..8]);
    assert_eq!(&part.body[..], b"\x89PNG\r\n\x1a\n");

    let tail = app.get(&url).header("Range", "bytes=-4").send().await;
    assert_eq!(tail.status.as_u16(), 206);
    assert_eq!(&tail.body[..], &whole.body[whole.body.len() - 4..]);

    let outside = app
        .get(&url)
        .header("Range", &format!("bytes={size}-"))
        .send()
        .await;
    outside.problem(416);
    assert_eq!(
        outside.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    let same = app.get(&url).header("If-None-Match", &etag).send().await;
    assert_eq!(same.status.as_u16(), 304);

    let hash = media["hash"].as_str().unwrap();
    app.get(&format!("/media/{hash}/w320.png"))
        .send()
        .await
        .problem(404);
    app.get(&format!("/media/{hash}/original.svg"))
        .send()
        .await
        .problem(404);
    app.get("/media/abc/original.png").send().await.problem(404);
    app.get(&format!("/media/{hash}/..%2F..%2Fnewsdesk.db"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn deleting_an_image_removes_its_files_through_the_worker() {
    let app = TestApp::with_env(FAST_JOBS).await;
    let png = encoded(&picture(40, 30), ImageFormat::Png);
    let media = upload(&app, &app.reporter, "a.png", &png, "a thing")
        .await
        .ok(201);
    let id = media["id"].as_i64().unwrap();
    let url = media["variants"][0]["url"].as_str().unwrap().to_owned();

    // Another reporter may not; the uploader may.
    let other = app.create_user("other@example.com", "reporter").await;
    let other = app.token_for(other);
    app.delete(&format!("/api/v1/media/{id}"))
        .bearer(&other)
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .problem(403);
    let changed = app
        .patch(&format!("/api/v1/media/{id}"))
        .bearer(&app.reporter)
        .header("If-Match", "\"v1\"")
        .json(&json!({"caption": "说明", "credit": null}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        (
            changed["caption"].as_str(),
            changed["credit"].as_str(),
            changed["version"].as_i64()
        ),
        (Some("说明"), None, Some(2))
    );
    app.delete(&format!("/api/v1/media/{id}"))
        .bearer(&app.reporter)
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .problem(412);
    app.delete(&format!("/api/v1/media/{id}"))
        .bearer(&app.reporter)
        .header("If-Match", "\"v2\"")
        .send()
        .await
        .ok(204);
    app.get(&format!("/api/v1/media/{id}"))
        .bearer(&app.editor)
        .send()
        .await
        .problem(404);

    let workers = start_workers(&app);
    let start = Instant::now();
    while app.get(&url).send().await.status.as_u16() != 404 {
        assert!(start.elapsed() < WAIT, "files not deleted");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    stop(workers).await;
}

#[actix_web::test]
async fn an_article_cover_from_the_library_carries_its_variants_to_readers() {
    let app = TestApp::with_env(FAST_JOBS).await;
    let channel = crate::support::fixtures::ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let jpeg = encoded(&picture(1200, 800), ImageFormat::Jpeg);
    let media = upload(&app, &app.reporter, "cover.jpg", &jpeg, "武功山金顶")
        .await
        .ok(201);
    let id = media["id"].as_i64().unwrap();
    let article = crate::support::fixtures::ArticleBuilder::new(&app)
        .in_channel(channel)
        .cover(id)
        .published()
        .create()
        .await;

    // Read anonymously before the variants exist: the stored image only.
    let path = format!("/api/v1/articles/{}", article.id);
    let before = app.get(&path).send().await.ok(200);
    assert_eq!(before["cover_media_id"], id);
    assert_eq!(before["cover"]["alt"], "武功山金顶");
    assert_eq!(before["cover"]["variants"].as_array().unwrap().len(), 1);
    assert!(
        app.get(&path)
            .send()
            .await
            .header("surrogate-key")
            .unwrap()
            .contains(&format!("media-{id}"))
    );

    let workers = start_workers(&app);
    when_ready(&app, id).await;
    stop(workers).await;
    // The cached answer was purged when the variants were recorded.
    let after = app.get(&path).send().await.ok(200);
    let widths: Vec<i64> = after["cover"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "image/webp")
        .map(|v| v["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [1024, 640, 320]);
    let list = app.get("/api/v1/articles").send().await.ok(200);
    assert_eq!(list["data"][0]["cover"]["id"], id);

    // In use: 409, and nothing is lost.
    let refused = app
        .delete(&format!("/api/v1/media/{id}"))
        .bearer(&app.editor)
        .header("If-Match", "\"v1\"")
        .send()
        .await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("articles [{}]", article.id))
    );
    let author = crate::support::fixtures::AuthorBuilder::new(&app, "刘洋", "liu-yang")
        .create()
        .await;
    app.patch(&format!("/api/v1/authors/{author}"))
        .bearer(&app.editor)
        .header("If-Match", "\"v1\"")
        .json(&json!({"avatar_media_id": id}))
        .send()
        .await
        .ok(200);
    app.patch(&path)
        .bearer(&app.editor)
        .header("If-Match", "\"v1\"")
        .json(&json!({"cover_media_id": null}))
        .send()
        .await
        .ok(200);
    let refused = app
        .delete(&format!("/api/v1/media/{id}"))
        .bearer(&app.editor)
        .header("If-Match", "\"v1\"")
        .send()
        .await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("authors")
    );
    let unknown = app.post("/api/v1/articles").bearer(&app.editor).json(&json!({"title": "x", "channel_id": channel, "pages": ["<p>x</p>"], "cover_media_id": 999})).send().await;
    assert_eq!(unknown.invalid_fields(), ["cover_media_id"]);

    // A page may show library images responsively; srcset pointing elsewhere is dropped.
    let hash = media["hash"].as_str().unwrap();
    let page = format!(
        r#"<img src="/media/{hash}/original.jpg" srcset="/media/{hash}/w320.webp 320w, /media/{hash}/w640.webp 640w" sizes="100vw" alt="x"><img src="/media/{hash}/original.jpg" srcset="https://tracker.example.com/t.gif 2x" alt="y">"#
    );
    let written = app
        .patch(&path)
        .bearer(&app.editor)
        .header("If-Match", "\"v2\"")
        .json(&json!({"pages": [page]}))
        .send()
        .await
        .ok(200);
    let html = written["body_html"].as_str().unwrap();
    assert_eq!(html.matches("srcset=").count(), 1, "{html}");
    assert!(!html.contains("tracker"), "{html}");
}

async fn send_tip_with_photos(app: &TestApp, channel: i64, photos: &[&[u8]]) -> TestResponse {
    let channel = channel.to_string();
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("channel_id", None, channel.as_bytes()),
        ("content", None, "公园北门的公交站牌被风吹倒了。".as_bytes()),
        ("contact", None, b"13900000002"),
    ];
    for photo in photos {
        parts.push(("photos", Some("IMG_0001.JPG"), photo));
    }
    let (content_type, body) = form(&parts);
    app.post("/api/v1/tips")
        .raw_body(&content_type, body)
        .send()
        .await
}

#[actix_web::test]
async fn readers_photos_on_tips_are_stripped_private_and_promotable() {
    let app = TestApp::new().await;
    let channel = crate::support::fixtures::ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let photo = phone_jpeg(300, 200);
    let receipt = send_tip_with_photos(
        &app,
        channel,
        &[&photo, &encoded(&picture(20, 20), ImageFormat::Png)],
    )
    .await
    .ok(202);
    let tip = receipt["id"].as_i64().unwrap();

    let inbox = app
        .get(&format!("/api/v1/tips/{tip}"))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    let photos = inbox["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!(
        (photos[0]["width"].as_i64(), photos[0]["height"].as_i64()),
        (Some(200), Some(300))
    );
    let url = photos[0]["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/api/v1/tips/{tip}/photos/1"));

    // Only the newsroom: anonymous 401, a reporter it is not assigned to 404, a read
    // token of a reporter… the editor and then the assigned reporter 200.
    app.get(&url).send().await.problem(401);
    app.get(&url)
        .bearer(&app.reporter)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/tips/{tip}/photos/3"))
        .bearer(&app.editor)
        .send()
        .await
        .problem(404);
    let served = app.get(&url).bearer(&app.editor).send().await;
    assert_eq!(served.status.as_u16(), 200);
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    assert_eq!(served.header("cache-control"), Some("private, no-cache"));
    let etag = served.header("etag").unwrap();
    let again = app
        .get(&url)
        .bearer(&app.editor)
        .header("If-None-Match", etag)
        .send()
        .await;
    assert_eq!(again.status.as_u16(), 304);
    assert_no_metadata(&served.body, "a tip photo");
    let reporter = crate::support::fixtures::user_id(&app, &app.reporter).await;
    app.patch(&format!("/api/v1/tips/{tip}"))
        .bearer(&app.editor)
        .header("If-Match", "\"v1\"")
        .json(&json!({"assignee_id": reporter}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        app.get(&url)
            .bearer(&app.reporter)
            .send()
            .await
            .status
            .as_u16(),
        200
    );

    // Never in the library, and not under /media/, until promoted.
    let library = app
        .get("/api/v1/media")
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert_eq!(library["meta"]["total"], 0);
    let promote = format!("{url}/promote");
    app.post(&promote)
        .bearer(&app.reporter)
        .json(&json!({"alt": "站牌", "credit": "读者供图"}))
        .send()
        .await
        .problem(403);
    let missing_credit = app
        .post(&promote)
        .bearer(&app.editor)
        .json(&json!({"alt": "站牌"}))
        .send()
        .await;
    assert_eq!(missing_credit.invalid_fields(), ["credit"]);
    let promoted = app
        .post(&promote)
        .bearer(&app.editor)
        .json(&json!({"alt": "被风吹倒的公交站牌", "credit": "读者 张先生 供图"}))
        .send()
        .await
        .ok(201);
    assert_eq!(promoted["credit"], "读者 张先生 供图");
    let public = app
        .get(promoted["variants"][0]["url"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(public.status.as_u16(), 200);
    assert_eq!(public.body, served.body);
    assert_eq!(
        app.get("/api/v1/media")
            .bearer(&app.editor)
            .send()
            .await
            .ok(200)["meta"]["total"],
        1
    );
}

#[actix_web::test]
async fn tip_photos_are_checked_like_uploads_and_limited_in_number() {
    let app = TestApp::with_env(&[
        ("NEWSDESK_TIP_PHOTOS_MAX", "1"),
        ("NEWSDESK_TIP_PHOTO_MAX_BYTES", "4096"),
    ])
    .await;
    let channel = crate::support::fixtures::ChannelBuilder::new(&app, "萍乡", "pingxiang")
        .create()
        .await;
    let small = encoded(&picture(10, 10), ImageFormat::Png);
    let two = send_tip_with_photos(&app, channel, &[&small, &small]).await;
    assert_eq!(two.invalid_fields(), ["photos"]);
    send_tip_with_photos(
        &app,
        channel,
        &[b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"],
    )
    .await
    .problem(415);
    let bomb = send_tip_with_photos(&app, channel, &[&bomb_png(100_000, 100_000)]).await;
    assert_eq!(bomb.invalid_fields(), ["photos.0"]);
    send_tip_with_photos(
        &app,
        channel,
        &[&encoded(&picture(300, 300), ImageFormat::Png)],
    )
    .await
    .problem(413);
    // JSON tips work as before, and a form without photos too.
    send_tip_with_photos(&app, channel, &[]).await.ok(202);
    app.post("/api/v1/tips")
        .json(&json!({"channel_id": channel, "content": "没有照片的爆料"}))
        .send()
        .await
        .ok(202);
    let (content_type, body) = form(&[("channel_id", None, b"abc"), ("content", None, b"x")]);
    let bad = app
        .post("/api/v1/tips")
        .raw_body(&content_type, body)
        .send()
        .await;
    assert_eq!(bad.invalid_fields(), ["channel_id"]);
}

#[actix_web::test]
async fn verify_reports_missing_and_orphaned_files() {
    let app = TestApp::new().await;
    let png = encoded(&picture(30, 30), ImageFormat::Png);
    let media = upload(&app, &app.reporter, "a.png", &png, "x")
        .await
        .ok(201);
    let hash = media["hash"].as_str().unwrap().to_owned();
    let state = app.state.clone();
    let clean = app
        .with_db(move |conn| newsdesk::media::service::verify(conn, &state.media))
        .await;
    assert!(
        clean.missing.is_empty() && clean.orphaned.is_empty(),
        "{clean:?}"
    );

    let store = app.state.media.clone();
    actix_web::web::block(move || {
        store.delete(&format!("media/{hash}/original.png"))?;
        store.put("media/0000/w320.png", b"stray")
    })
    .await
    .unwrap()
    .unwrap();
    let state = app.state.clone();
    let found = app
        .with_db(move |conn| newsdesk::media::service::verify(conn, &state.media))
        .await;
    assert_eq!(found.missing.len(), 1, "{found:?}");
    assert!(found.missing[0].ends_with("/original.png"));
    assert_eq!(found.orphaned, ["media/0000/w320.png"]);
}
