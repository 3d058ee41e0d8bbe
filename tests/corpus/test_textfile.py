"""One reader for users' text files: UTF-8 (BOM or not) and GB18030 are read; anything else is refused
with a Chinese message naming the file."""
import pytest

from assistant.errors import InputError
from corpus.textfile import decode_text

TEXT = "第一条　为了规范行政处罚，制定本法。"


@pytest.mark.parametrize("raw", [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("gbk"),
                                 TEXT.encode("gb18030")])
def test_utf8_and_gb_text_are_read(raw):
    assert decode_text(raw, "法规.txt") == TEXT


@pytest.mark.parametrize("raw", [b"\x00\x01\x02\xff\xfe", b"PK\x03\x04\x00\x00binary"])
def test_binary_content_is_refused_naming_the_file(raw):
    with pytest.raises(InputError, match="“坏文件.txt”.*编码"):
        decode_text(raw, "坏文件.txt")
