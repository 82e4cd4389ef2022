"""execution-environment.yml: `ansible-builder create` writes a build context (no container engine
needed) that carries the collection as its built tarball, and what the build's introspection
finds in that collection: its Python (requirements.txt) and system (bindep.txt) requirements."""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent


def requirement_names(text):
    """Names of the requirements in a requirements.txt or bindep.txt (comments and options out)."""
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\s<>=!~\[;]", line, maxsplit=1)[0].lower())
    return names


@pytest.fixture(name="context", scope="module")
def fixture_context(tmp_path_factory, collection_tarball):
    """ansible-builder create, from a copy of the EE definition next to the freshly built tarball."""
    work = tmp_path_factory.mktemp("ee")
    definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    shutil.copy(REPO / "execution-environment.yml", work / "execution-environment.yml")
    for build_file in definition["additional_build_files"]:
        target = work / build_file["src"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(collection_tarball, target)
    completed = subprocess.run(
        [str(VENV_BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", str(work / "context"),
         "--output-filename", "Containerfile"],
        cwd=work, capture_output=True, text=True, check=False, timeout=120,
        env=dict(os.environ, PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", ""))),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return work / "context", definition


def test_definition_is_builder_v3_with_the_collection_as_a_tarball(context, collection_tarball):
    _context_dir, definition = context
    assert definition["version"] == 3
    collections = definition["dependencies"]["galaxy"]["collections"]
    assert collections == [{"name": "/build/collections/%s" % collection_tarball.name, "type": "file"}], \
        "the EE must install the tarball ansible-galaxy collection build writes for galaxy.yml's version"
    assert [item["src"] for item in definition["additional_build_files"]] == ["build/ee/%s" % collection_tarball.name]
    for key in ("ansible_core", "ansible_runner"):
        assert "package_pip" in definition["dependencies"][key]


def test_context_carries_the_tarball_and_installs_it(context, collection_tarball):
    context_dir, _definition = context
    copied = context_dir / "_build" / "collections" / collection_tarball.name
    assert copied.read_bytes() == collection_tarball.read_bytes()
    requirements = yaml.safe_load((context_dir / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "/build/collections/%s" % collection_tarball.name, "type": "file"}]
    containerfile = (context_dir / "Containerfile").read_text()
    assert "COPY _build /build" in containerfile
    galaxy_stage = containerfile.split("FROM base AS galaxy", 1)[1].split("FROM base AS builder", 1)[0]
    assert "ansible-galaxy collection install" in galaxy_stage and "-r requirements.yml" in galaxy_stage
    assert "introspect.py introspect" in containerfile, "the builder stage reads the collection's requirements"
    assert "ansible-core" in containerfile and "ansible-runner" in containerfile


def test_collection_requirements_reach_the_image(context, collection_tarball, tmp_path):
    """Install the tarball as the galaxy stage does and run the context's own introspection on it."""
    context_dir, _definition = context
    with tarfile.open(collection_tarball) as archive:
        meta = yaml.safe_load(archive.extractfile("meta/execution-environment.yml").read())
        assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
        for name in ("requirements.txt", "bindep.txt"):
            assert archive.extractfile(name).read() == (REPO / name).read_bytes()
    collections = tmp_path / "collections"
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(collections), str(collection_tarball)],
                   cwd=tmp_path, capture_output=True, check=True, timeout=120,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_CONFIG=""))
    python_out, system_out = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    completed = subprocess.run(
        [sys.executable, str(context_dir / "_build" / "scripts" / "introspect.py"), "introspect", str(collections),
         "--write-pip", str(python_out), "--write-bindep", str(system_out)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    python_names = requirement_names(python_out.read_text())
    system_lines = system_out.read_text()
    assert set(requirement_names((REPO / "requirements.txt").read_text())) <= set(python_names)
    assert {"boto3", "botocore", "psycopg2-binary"} <= set(python_names)
    for package in requirement_names((REPO / "bindep.txt").read_text()):
        assert package in system_lines, package
    assert "libpq [platform:rpm]" in system_lines and "innovate.aws_postgres" in system_lines


def test_collection_requirements_are_unpinned_and_leave_ansible_out():
    for name in ("requirements.txt", "bindep.txt"):
        text = (REPO / name).read_text()
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            assert "==" not in line, "%s pins %s" % (name, line)
        assert not {"ansible", "ansible-core", "ansible-base"} & set(requirement_names(text)), name


def test_collections_requirements_install_the_collection_from_the_project(tmp_path):
    """What a project sync runs: ansible-galaxy collection install -r collections/requirements.yml."""
    requirements = yaml.safe_load((REPO / "collections" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "./", "type": "dir"}]
    target = tmp_path / "requirements_collections"
    completed = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "install", "-r", "collections/requirements.yml", "-p", str(target)],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=180,
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(target), ANSIBLE_CONFIG=""),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    manifest = target / "ansible_collections" / "innovate" / "aws_postgres" / "MANIFEST.json"
    assert manifest.is_file(), completed.stdout
