"""A real harvester (Sickle) against the running site: every record comes through the
resumption tokens exactly once, and parses as the Dublin Core that was put in."""

import datetime

import pytest
from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist

from oai import protocol
from studies.models import Study


@pytest.mark.django_db(transaction=True, databases="__all__")  # the page reads the replica
def test_sickle_harvests_every_record_once(live_server, make_study, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    monkeypatch.setattr(protocol, "PAGE_SIZE", 7)
    studies = [
        make_study(f"Study {n:02} & <friends>", slug=f"study-{n:02}", countries=["KH"])
        for n in range(30)
    ]
    studies[3].delete()  # a deleted record comes through too
    Study.objects.filter(slug__in=["study-10", "study-11"]).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    harvester = Sickle(f"{live_server.url}/oai", max_retries=0, timeout=30)

    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))

    identifiers = [record.header.identifier for record in records]
    assert len(identifiers) == len(set(identifiers)) == 30
    deleted = [record.header.identifier for record in records if record.deleted]
    host = live_server.url.split("//")[1].split(":")[0]
    assert deleted == [f"oai:{host}:studies/study-03"]
    live = {record.header.identifier: record.metadata for record in records if not record.deleted}
    assert live[f"oai:{host}:studies/study-05"]["title"] == ["Study 05 & <friends>"]
    assert live[f"oai:{host}:studies/study-05"]["identifier"] == [
        f"{live_server.url}/studies/study-05/"
    ]
    assert identifiers[:2] == [f"oai:{host}:studies/study-10", f"oai:{host}:studies/study-11"]

    by_post = Sickle(f"{live_server.url}/oai", http_method="POST", max_retries=0, timeout=30)
    headers = list(by_post.ListIdentifiers(metadataPrefix="datacite", ignore_deleted=False))
    assert sorted(header.identifier for header in headers) == sorted(identifiers)

    identify = harvester.Identify()
    assert identify.deletedRecord == "persistent"
    assert [f.metadataPrefix for f in harvester.ListMetadataFormats()] == ["oai_dc", "datacite"]
    assert "country:KH" in [s.setSpec for s in harvester.ListSets()]
    record = harvester.GetRecord(
        identifier=f"oai:{host}:studies/study-05", metadataPrefix="datacite"
    )
    assert record.header.identifier == f"oai:{host}:studies/study-05"
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier=f"oai:{host}:studies/nothing", metadataPrefix="oai_dc")
