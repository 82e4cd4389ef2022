"""The aws_secret lookup through ansible-playbook against the local environment.

The master user secret that the emulator manages for an instance holds the real credentials of its
PostgreSQL server: the lookup finds it through the instance, in the data account (assume-role),
and a PostgreSQL module logs in with it over verify-full TLS. No value may appear in what ansible
prints, failures included.
"""

import json
import uuid

import psycopg2
import pytest

DATA_ROLE = "arn:aws:iam::111111111111:role/InnovateAutomation"


def secret_unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


@pytest.fixture(scope="module")
def managed_instance(localenv):
    rds = localenv.client("rds", account_id="111111111111")
    identifier = secret_unique("sec")
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
                           MasterUsername="dbadmin", ManageMasterUserPassword=True, DBName="app")
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    secret = localenv.client("secretsmanager", account_id="111111111111").get_secret_value(
        SecretId=described["MasterUserSecret"]["SecretArn"])
    yield dict(identifier=identifier, host=described["Endpoint"]["Address"], port=described["Endpoint"]["Port"],
               arn=described["MasterUserSecret"]["SecretArn"], value=json.loads(secret["SecretString"]))
    rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def connection(localenv):
    return dict(region="us-east-1", endpoint_url=localenv.endpoint_url, access_key="testing", secret_key="testing",
                assume_role_arn=DATA_ROLE)


def assert_never_printed(run, *values):
    output = run.stdout + run.stderr
    for value in values:
        assert value not in output


def test_the_master_secret_found_through_the_instance_logs_in(ansible, localenv, managed_instance):
    conn = dict(connection(localenv), db_instance_identifier=managed_instance["identifier"])
    options = ", ".join("%s=%r" % item for item in conn.items())
    playbook = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: read the master credentials
      ansible.builtin.set_fact:
        master: "{{ lookup('innovate.aws_postgres.aws_secret', %(options)s) }}"
        by_arn: "{{ lookup('innovate.aws_postgres.aws_secret', %(arn)r, key='password', %(conn)s) }}"
      no_log: true
    - name: log in with them over verify-full
      innovate.aws_postgres.pg_extensions:
        login_host: %(host)s
        login_port: %(port)d
        login_user: "{{ master.username }}"
        login_password: "{{ master.password }}"
        login_db: app
        ca_bundle: %(ca)s
        extensions:
          - name: pgcrypto
    - name: compare
      ansible.builtin.assert:
        that:
          - master.username == 'dbadmin'
          - by_arn == master.password
        quiet: true
""" % dict(options=options, arn=managed_instance["arn"], conn=", ".join("%s=%r" % item for item in connection(localenv).items()),
           host=managed_instance["host"], port=managed_instance["port"], ca=localenv.ca_bundle)
    run = ansible.playbook(playbook)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result("log in with them over verify-full")["changed"] is True
    assert_never_printed(run, managed_instance["value"]["password"])
    # The server agrees: the same credentials log in directly.
    psycopg2.connect(host=managed_instance["host"], port=managed_instance["port"], dbname="app", sslmode="verify-full",
                     sslrootcert=localenv.ca_bundle, user="dbadmin", password=managed_instance["value"]["password"]).close()


@pytest.mark.parametrize("expression, expected", [
    ("key='host'", "has no key 'host'; its keys are password, username"),
    ("version_stage='AWSPENDING'", "ResourceNotFoundException"),
])
def test_failures_name_the_problem_and_never_the_value(ansible, localenv, managed_instance, expression, expected):
    conn = ", ".join("%s=%r" % item for item in connection(localenv).items())
    play = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: read
      ansible.builtin.debug:
        msg: "{{ lookup('innovate.aws_postgres.aws_secret', %r, %s, %s) | length }}"
""" % (managed_instance["arn"], expression, conn)
    run = ansible.playbook(play)
    assert run.rc != 0
    assert expected in run.stdout + run.stderr
    assert_never_printed(run, managed_instance["value"]["password"])


def test_a_secret_of_the_data_account_is_not_found_without_its_role(ansible, localenv, managed_instance):
    conn = dict(connection(localenv))
    conn.pop("assume_role_arn")
    play = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: read
      ansible.builtin.debug:
        msg: "{{ lookup('innovate.aws_postgres.aws_secret', db_instance_identifier=%r, %s) | length }}"
""" % (managed_instance["identifier"], ", ".join("%s=%r" % item for item in conn.items()))
    run = ansible.playbook(play)
    assert run.rc != 0
    assert "finding the master user secret of %s failed: DBInstanceNotFound" % managed_instance["identifier"] in run.stdout + run.stderr
