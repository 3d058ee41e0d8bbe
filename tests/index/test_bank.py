"""The question bank: votes of the nearest known questions, saving and loading, refusing a file that
does not fit, and the shipped bank. In the searcher on a real hybrid index in ``test_dense.py`` (slow)."""
import numpy as np
import pytest

from index.bank import BANK_FILE, QuestionBank, load_bank, make_bank

FOOD = "中华人民共和国食品安全法"
FIRE = "中华人民共和国消防法"


def _unit(*rows):
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _bank():
    vectors = _unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0])
    gold = [[(FOOD, "第三十四条"), (FOOD, "第一百二十四条")], [(FOOD, "第一百二十四条")], [(FIRE, "第二十八条")]]
    return make_bank(vectors, gold, "multilingual-e5-small", {"trained_on": ["bench/x.jsonl"]})


def test_the_nearest_questions_vote_for_their_gold_articles_with_their_closeness():
    bank = _bank()
    votes = bank.votes(_unit([1, 0.05, 0])[0], k=2, floor=0.0)
    assert set(votes) == {(FOOD, "第三十四条"), (FOOD, "第一百二十四条")}  # the fire question is not among the 2 nearest
    closest = float(_unit([1, 0.05, 0])[0] @ _unit([1, 0, 0])[0])
    assert votes[(FOOD, "第一百二十四条")] == pytest.approx(closest)  # the closest question that lists it
    assert set(bank.votes(_unit([0, 1, 0])[0], k=1)) == {(FIRE, "第二十八条")}
    assert len(bank.votes(_unit([1, 1, 1])[0], k=10, floor=0.0)) == 3  # k beyond the bank: every question votes
    assert bank.votes(_unit([0, 0, 1])[0]) == {}  # no bank question close enough (below FLOOR)
    assert set(bank.votes(_unit([1, 0.3, 0])[0], floor=0.98)) == {(FOOD, "第一百二十四条")}  # only (0.9, 0.1, 0)
    empty = make_bank(np.zeros((0, 3)), [], "m")
    assert len(empty) == 0 and empty.votes(_unit([1, 0, 0])[0]) == {}


def test_save_and_load_keep_vectors_gold_model_and_provenance_without_pickle(tmp_path):
    bank, path = _bank(), tmp_path / "bank.npz"
    bank.save(path)
    with np.load(path, allow_pickle=False) as z:  # plain arrays, nothing to unpickle
        assert set(z.files) == {"vectors", "meta"}
    back = load_bank(path)
    assert np.array_equal(back.vectors, bank.vectors) and back.gold == bank.gold
    assert back.model == bank.model and back.provenance == bank.provenance
    assert load_bank(tmp_path / "missing.npz") is None


def test_a_file_that_does_not_fit_is_refused_with_a_message(tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="不是可用的问题库"):
        load_bank(broken)
    with pytest.raises(ValueError, match="数目不符或数值不对"):
        make_bank(_unit([1, 0, 0]), [[(FOOD, "第三十四条")], [(FIRE, "第二十八条")]], "m")
    with pytest.raises(ValueError, match="数目不符或数值不对"):
        make_bank(np.full((1, 3), np.nan), [[(FOOD, "第三十四条")]], "m")
    from index.learned import write_npz

    write_npz(broken, {"model": "m", "gold": [["only the law"]]}, vectors=_unit([1, 0, 0]))
    with pytest.raises(ValueError, match="标准答案格式不对"):
        load_bank(broken)
    bank = _bank()
    bank.check("multilingual-e5-small", 3)
    with pytest.raises(ValueError, match="问题库属于 multilingual-e5-small"):
        bank.check("bge-m3", 3)
    with pytest.raises(ValueError, match="384 维"):
        bank.check("multilingual-e5-small", 384)


def test_no_bank_is_shipped_it_is_opt_in():
    """Measured better on topics asked before and worse on new ones (index.bank), so the shipped
    re-ranker is trained without one and gives the bank's features no weight."""
    from index.rerank import FEATURES, load_reranker

    assert load_bank() is None and BANK_FILE.name == "question_bank.npz"
    model = load_reranker()
    assert all(model.weights[FEATURES.index(name)] == 0.0 for name in ("bank_hit", "bank_sim"))
