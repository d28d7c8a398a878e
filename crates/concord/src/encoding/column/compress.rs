//! A column as a chunk stores it: its bytes as they are, or compressed when they are large and
//! compressing makes them smaller.
//!
//! Run-length encoding removes repetition *within* a column's rows; what is left in a large
//! column (the characters of a text, literal runs of positions in an editing trace) still has
//! the redundancy of natural language, of source code and of editing habits. Two methods are
//! tried and the smaller result kept: deflate (RFC 1951), and Brotli (RFC 7932), whose window
//! reaches back megabytes instead of deflate's 32 KiB: the text a person deletes and types
//! again, or a paragraph moved, is found again however far back it was. Small columns are not
//! worth Brotli's attempt, nor large ones worth deflate's (see [`MAX_DEFLATE_TOO`]), nor
//! columns of a few bytes any.
//!
//! Layout (format version 2 and later): an unsigned LEB128 number `stored_len << 2 | method`, where the
//! method is 0 (raw), 1 (deflate) or 2 (Brotli); unless raw, an unsigned LEB128
//! `inflated_len`; then `stored_len` bytes, raw or a compressed stream that decompresses to
//! exactly `inflated_len` bytes, using all of its bytes. Version 1 had deflate only, as
//! `stored_len << 1 | deflated`.
//!
//! Laws: reading a written column gives back its bytes; the writer compresses exactly when the
//! column has at least [`MIN_COMPRESS`] bytes and a method makes its stored form smaller, the
//! inflated length included (the smaller method, deflate on a tie; Brotli only from
//! [`MIN_BROTLI`] bytes, and from [`MAX_DEFLATE_TOO`] deflate only where Brotli's stream is
//! of no use: past [`MAX_RATIO`], or no smaller), so equal columns give equal bytes with the
//! same implementations; a reader refuses an inflated length beyond [`MAX_RATIO`] times the
//! stored length before it allocates anything (a writer does not use a method past that
//! ratio), refuses a Brotli window larger than the column needs, and never decompresses past
//! the declared length.

use brotli::enc::BrotliEncoderParams;
use brotli::{BrotliDecompressStream, BrotliResult, BrotliState, HeapAlloc};

use super::Cursor;
use crate::encoding::error::{DecodeError, DecodeErrorKind};
use crate::encoding::leb128;

/// Columns shorter than this are stored raw: compressing fewer bytes hardly ever pays for the
/// inflated length it adds.
pub(crate) const MIN_COMPRESS: usize = 16;

/// Columns shorter than this are not tried with Brotli: its encoder's set-up costs more than
/// compressing them (a millisecond at the quality used), and on so few bytes its long window
/// finds nothing that deflate's does not.
pub(crate) const MIN_BROTLI: usize = 1024;

/// Columns shorter than this that Brotli compresses are compressed with deflate as well, and
/// the smaller stream kept; longer ones, only where Brotli's stream is of no use. On those
/// deflate at its best level takes a good share of a save (a sixth of saving a long text), and
/// on the editing traces it was never the smaller.
pub(crate) const MAX_DEFLATE_TOO: usize = 64 * 1024;

/// The largest ratio of decompressed to stored size a reader accepts: what deflate can reach
/// at most (a stream of length-258 matches coded in about two bits each). Brotli can reach
/// further; a writer then stores the column another way.
pub(crate) const MAX_RATIO: u64 = 1032;

/// The deflate level: the best ratio; saving is not on a hot path.
const DEFLATE_LEVEL: u8 = 9;

/// The Brotli quality: 10 of 11, which costs a third of the time of 11 for nearly its ratio.
const BROTLI_QUALITY: i32 = 10;

/// The Brotli window, as a base-2 logarithm: the smallest that holds the whole column, within
/// what standard Brotli allows.
fn brotli_window(len: usize) -> u32 {
    (usize::BITS - len.saturating_sub(1).leading_zeros()).clamp(MIN_WINDOW, MAX_WINDOW)
}
const MIN_WINDOW: u32 = 16;
const MAX_WINDOW: u32 = 24;

/// How a column is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Raw = 0,
    Deflate = 1,
    Brotli = 2,
}

/// Appends a column's stored form (format version 2 and later).
pub(crate) fn write(out: &mut Vec<u8>, bytes: &[u8]) {
    let raw = stored_size(bytes.len(), None);
    let fits = |stored: &[u8]| {
        !stored.is_empty()
            && stored_size(stored.len(), Some(bytes.len())) < raw
            && bytes.len() as u64 <= (stored.len() as u64).saturating_mul(MAX_RATIO)
    };
    let deflate = || {
        let stored = miniz_oxide::deflate::compress_to_vec(bytes, DEFLATE_LEVEL);
        fits(&stored).then_some((Method::Deflate, stored))
    };
    let compressed = if bytes.len() < MIN_COMPRESS {
        None
    } else if bytes.len() < MIN_BROTLI {
        deflate()
    } else {
        let brotli = brotli_compress(bytes)
            .filter(|stored| fits(stored))
            .map(|stored| (Method::Brotli, stored));
        // Deflate as well where it costs little, and wherever Brotli's stream is of no use
        // (past the ratio a reader accepts: a column of one byte repeated).
        let deflated = (brotli.is_none() || bytes.len() < MAX_DEFLATE_TOO)
            .then(deflate)
            .flatten();
        match (brotli, deflated) {
            (Some(b), Some(d)) => Some(if d.1.len() <= b.1.len() { d } else { b }),
            (b, d) => b.or(d),
        }
    };
    match compressed {
        Some((method, stored)) => {
            leb128::write_u64(out, (stored.len() as u64) << 2 | method as u64);
            leb128::write_u64(out, bytes.len() as u64);
            out.extend_from_slice(&stored);
        }
        None => {
            leb128::write_u64(out, (bytes.len() as u64) << 2 | Method::Raw as u64);
            out.extend_from_slice(bytes);
        }
    }
}

/// The bytes a column takes stored as `len` bytes: raw, or compressed from `inflated` bytes
/// (which adds the inflated length).
fn stored_size(len: usize, inflated: Option<usize>) -> usize {
    let uleb = |n: u64| (u64::BITS - n.leading_zeros()).div_ceil(7).max(1) as usize;
    uleb((len as u64) << 2) + inflated.map_or(0, |n| uleb(n as u64)) + len
}

/// The Brotli stream of `bytes`; `None` if the encoder fails, which writing to memory does not
/// (the column would then be stored another way).
fn brotli_compress(bytes: &[u8]) -> Option<Vec<u8>> {
    let params = BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: brotli_window(bytes.len()) as i32,
        size_hint: bytes.len(),
        ..BrotliEncoderParams::default()
    };
    let mut out = Vec::new();
    let mut input = bytes;
    brotli::BrotliCompress(&mut input, &mut out, &params)
        .ok()
        .map(|_| out)
}

/// A column read from a chunk: its bytes in the input, or decompressed from there.
pub(crate) enum Stored<'a> {
    Raw(Cursor<'a>),
    Inflated { bytes: Vec<u8>, offset: usize },
}

impl Stored<'_> {
    /// A cursor over the column's bytes.
    pub(crate) fn cursor(&self) -> Cursor<'_> {
        match self {
            Stored::Raw(c) => c.clone(),
            Stored::Inflated { bytes, offset } => Cursor::inflated(bytes, *offset),
        }
    }
}

/// Reads a column's stored form in a chunk of format `version`, decompressing it if it is
/// compressed.
///
/// # Errors
/// A length beyond the input, an unknown method, an inflated length past [`MAX_RATIO`], or a
/// stream that is invalid, does not decompress to exactly its declared length, or has bytes
/// left after its end.
pub(crate) fn read<'a>(
    c: &mut Cursor<'a>,
    column: &'static str,
    version: u64,
) -> Result<Stored<'a>, DecodeError> {
    let at = c.offset();
    let header = c.uleb()?;
    let (stored_len, method) = if version == 1 {
        (header >> 1, (header & 1) as u8)
    } else {
        (header >> 2, (header & 3) as u8)
    };
    let method = match method {
        0 => return c.split(stored_len).map(Stored::Raw),
        1 => Method::Deflate,
        2 => Method::Brotli,
        m => {
            return Err(DecodeError {
                offset: at,
                kind: DecodeErrorKind::UnknownCompression { column, method: m },
            })
        }
    };
    let at = c.offset();
    let inflated_len = c.uleb()?;
    let stored = c.split(stored_len)?;
    let offset = stored.offset();
    let bad = DecodeError {
        offset: at,
        kind: DecodeErrorKind::BadCompression {
            column,
            length: inflated_len,
        },
    };
    let limit = match usize::try_from(inflated_len) {
        Ok(n) if inflated_len <= stored_len.saturating_mul(MAX_RATIO) => n,
        _ => return Err(bad),
    };
    let bytes = match method {
        Method::Deflate => deflate_decompress(stored.rest(), limit),
        _ => brotli_decompress(stored.rest(), limit),
    };
    match bytes {
        Some(bytes) if bytes.len() == limit => Ok(Stored::Inflated { bytes, offset }),
        _ => Err(bad),
    }
}

/// The `len` bytes a raw deflate stream decompresses to, if it is valid, uses all of `stream`
/// and gives exactly `len` bytes: decompressed in one call into a buffer of that size.
fn deflate_decompress(stream: &[u8], len: usize) -> Option<Vec<u8>> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = vec![0; len];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, read, written) = decompress(&mut state, stream, &mut out, 0, flags);
    (status == TINFLStatus::Done && read == stream.len() && written == len).then_some(out)
}

/// The `len` bytes a standard Brotli stream decompresses to, if it is valid, uses all of
/// `stream`, gives exactly `len` bytes and declares no larger window than that needs.
fn brotli_decompress(stream: &[u8], len: usize) -> Option<Vec<u8>> {
    if stream_window(stream)? > brotli_window(len) {
        return None;
    }
    let mut state = BrotliState::new_strict(
        HeapAlloc::<u8>::default(),
        HeapAlloc::<u32>::default(),
        HeapAlloc::default(),
    );
    let mut out = vec![0; len];
    let (mut available_in, mut input_offset) = (stream.len(), 0);
    let (mut available_out, mut output_offset, mut total) = (len, 0, 0);
    let result = BrotliDecompressStream(
        &mut available_in,
        &mut input_offset,
        stream,
        &mut available_out,
        &mut output_offset,
        &mut out,
        &mut total,
        &mut state,
    );
    let done = matches!(result, BrotliResult::ResultSuccess);
    (done && available_in == 0 && output_offset == len).then_some(out)
}

/// The window size (base-2 logarithm) a Brotli stream declares in its first bits (RFC 7932,
/// section 9.1), if it is a standard one.
fn stream_window(stream: &[u8]) -> Option<u32> {
    let first = u32::from(*stream.first()?);
    if first & 1 == 0 {
        return Some(16);
    }
    let n = (first >> 1) & 7;
    if n != 0 {
        return Some(17 + n);
    }
    match (first >> 4) & 7 {
        0 => Some(17),
        // 1 marks a large-window stream, which standard Brotli does not have.
        1 => None,
        m => Some(8 + m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::frame::VERSION;
    use proptest::prelude::*;

    fn round_trip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, bytes);
        let mut c = Cursor::new(&out, 0);
        let stored = read(&mut c, "test", VERSION).unwrap();
        assert!(c.is_empty());
        let back = stored.cursor().rest().to_vec();
        back
    }

    /// The header, inflated length and stream of a written column.
    fn parts(out: &[u8]) -> (u64, u64, Vec<u8>) {
        let mut c = Cursor::new(out, 0);
        let header = c.uleb().unwrap();
        let len = c.uleb().unwrap();
        (header, len, c.rest().to_vec())
    }

    fn column(header: u64, len: u64, stream: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        leb128::write_u64(&mut out, header);
        leb128::write_u64(&mut out, len);
        out.extend_from_slice(stream);
        out
    }

    #[test]
    fn large_repetitive_columns_are_compressed() {
        let text = "the cat sat on the mat. ".repeat(100);
        let mut out = Vec::new();
        write(&mut out, text.as_bytes());
        assert!(out.len() < text.len() / 10);
        assert_ne!(out[0] & 3, 0);
        assert_eq!(round_trip(text.as_bytes()), text.as_bytes());
        let mut small = Vec::new();
        write(&mut small, b"tiny");
        assert_eq!(small, [16, b't', b'i', b'n', b'y']);
    }

    /// The writer's choice at the thresholds: raw under [`MIN_COMPRESS`] bytes, or where a
    /// stream does not pay for the inflated length; deflate alone under [`MIN_BROTLI`].
    #[test]
    fn small_columns_compress_only_where_it_pays() {
        let method = |bytes: &[u8]| {
            let mut out = Vec::new();
            write(&mut out, bytes);
            assert_eq!(round_trip(bytes), bytes);
            (out[0] & 3, out.len())
        };
        let repeated = |n| vec![7u8; n];
        assert_eq!(method(&repeated(MIN_COMPRESS - 1)), (0, MIN_COMPRESS));
        let (m, len) = method(&repeated(MIN_COMPRESS));
        assert_eq!(m, Method::Deflate as u8);
        assert!(len < MIN_COMPRESS);
        // Sixteen bytes that do not repeat: no stream is smaller with its length.
        let distinct: Vec<u8> = (0..MIN_COMPRESS as u8).collect();
        assert_eq!(method(&distinct), (0, MIN_COMPRESS + 1));
        // English under the Brotli threshold goes to deflate; over it, both are tried.
        let prose = "It was the best of times, it was the worst of times, it was the age of ";
        let under = prose.repeat(MIN_BROTLI / prose.len());
        assert!(under.len() < MIN_BROTLI);
        assert_eq!(method(under.as_bytes()).0, Method::Deflate as u8);
        let words = "wisdom foolishness belief incredulity season light darkness spring hope ";
        let over: String = (0..20).map(|i| &words[i % 7 * 3..]).collect();
        assert!(over.len() >= MIN_BROTLI);
        assert_ne!(method(over.as_bytes()).0, Method::Raw as u8);
    }

    /// A column of one byte, longer than [`MAX_DEFLATE_TOO`]: Brotli's stream would pass the
    /// ratio a reader accepts, so the writer falls back to deflate, whose stream does not.
    #[test]
    fn columns_brotli_squeezes_too_far_take_deflate() {
        let bytes = vec![7u8; 100_000];
        assert!(bytes.len() >= MAX_DEFLATE_TOO);
        let brotli = brotli_compress(&bytes).expect("Brotli compresses to memory");
        assert!(bytes.len() as u64 > brotli.len() as u64 * MAX_RATIO);
        let mut out = Vec::new();
        write(&mut out, &bytes);
        assert_eq!(out[0] & 3, Method::Deflate as u8);
        assert!(out.len() < 1000, "{} bytes", out.len());
        assert_eq!(round_trip(&bytes), bytes);
    }

    /// Text repeated from further back than deflate's 32 KiB window: Brotli finds it.
    #[test]
    fn far_repetition_takes_brotli() {
        let mut rng = 12345u64;
        let mut block = Vec::new();
        for _ in 0..40_000 {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            block.push(b'a' + (rng >> 59) as u8);
        }
        let text = [&block[..], &block[..]].concat();
        let mut out = Vec::new();
        write(&mut out, &text);
        assert_eq!(out[0] & 3, Method::Brotli as u8);
        assert!(out.len() < block.len(), "{} bytes", out.len());
        assert_eq!(round_trip(&text), text);
    }

    #[test]
    fn version_1_columns_still_read() {
        let text = "the cat sat on the mat. ".repeat(100);
        let deflated = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
        let v1 = column(
            (deflated.len() as u64) << 1 | 1,
            text.len() as u64,
            &deflated,
        );
        let stored = read(&mut Cursor::new(&v1, 0), "test", 1).unwrap();
        assert_eq!(stored.cursor().rest(), text.as_bytes());
        let raw = [4 << 1, b't', b'i', b'n', b'y'];
        let stored = read(&mut Cursor::new(&raw, 0), "test", 1).unwrap();
        assert_eq!(stored.cursor().rest(), b"tiny");
    }

    #[test]
    fn bad_streams_and_implausible_lengths_are_refused() {
        let refused = |bytes: &[u8]| read(&mut Cursor::new(bytes, 0), "test", VERSION).err();
        for text in [
            vec![b'a'; 10_000],
            "the cat sat on the mat. ".repeat(100).into(),
        ] {
            let mut out = Vec::new();
            write(&mut out, &text);
            let (header, len, stream) = parts(&out);
            // Declare one byte more, or one less, than the stream decompresses to.
            for wrong in [len + 1, len - 1] {
                let err = refused(&column(header, wrong, &stream)).unwrap();
                assert!(matches!(err.kind, DecodeErrorKind::BadCompression { .. }));
            }
            // A byte after the end of the stream.
            let mut longer = stream.clone();
            longer.push(0);
            let err = refused(&column(header + 4, len, &longer));
            assert!(err.is_some(), "a trailing byte is refused");
        }
        // A deflate stream (which the writer did not pick above) with a byte after its end.
        let text = "the cat sat on the mat. ".repeat(100);
        let stream = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), DEFLATE_LEVEL);
        let deflated = |stream: &[u8]| column((stream.len() as u64) << 2 | 1, 2400, stream);
        assert!(refused(&deflated(&stream)).is_none());
        let mut longer = stream.clone();
        longer.push(0);
        let err = refused(&deflated(&longer)).unwrap();
        assert!(matches!(err.kind, DecodeErrorKind::BadCompression { .. }));
        // A gigabyte from four bytes is refused before decompressing anything.
        for method in [1, 2] {
            let err = refused(&column(4 << 2 | method, 1 << 30, &[0; 4])).unwrap();
            assert!(matches!(err.kind, DecodeErrorKind::BadCompression { .. }));
        }
        let err = refused(&[3, 0]).unwrap();
        assert!(matches!(
            err.kind,
            DecodeErrorKind::UnknownCompression { method: 3, .. }
        ));
        // A Brotli stream that asks for a 16 MiB window to give 300 bytes.
        let params = BrotliEncoderParams {
            lgwin: 24,
            ..BrotliEncoderParams::default()
        };
        let text = vec![b'x'; 300];
        let mut stream = Vec::new();
        brotli::BrotliCompress(&mut &text[..], &mut stream, &params).unwrap();
        assert_eq!(stream_window(&stream), Some(24));
        let bytes = column((stream.len() as u64) << 2 | 2, 300, &stream);
        assert!(refused(&bytes).is_some());
    }

    #[test]
    fn windows_are_read_from_the_stream_header() {
        for lgwin in 16..=24 {
            let params = BrotliEncoderParams {
                lgwin,
                ..BrotliEncoderParams::default()
            };
            let mut stream = Vec::new();
            brotli::BrotliCompress(&mut &b"some text"[..], &mut stream, &params).unwrap();
            assert_eq!(stream_window(&stream), Some(lgwin as u32));
        }
        assert_eq!(brotli_window(0), 16);
        assert_eq!(brotli_window(1 << 20), 20);
        assert_eq!(brotli_window((1 << 20) + 1), 21);
        assert_eq!(brotli_window(1 << 30), 24);
    }

    proptest! {
        #[test]
        fn any_column_round_trips(
            bytes in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..2000)
        ) {
            prop_assert_eq!(round_trip(&bytes), bytes);
        }

        #[test]
        fn any_bytes_read_or_fail(bytes: Vec<u8>, version in 1..=2u64) {
            let _ = read(&mut Cursor::new(&bytes, 0), "test", version);
        }
    }
}
