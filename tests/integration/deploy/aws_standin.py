#!/usr/bin/env python3
"""A stand-in for AWS Secrets Manager and SSM Parameter Store on loopback, for the env
sources tests: it speaks their JSON protocol (POST /, X-Amz-Target, application/x-amz-json-1.1)
for GetSecretValue, GetParametersByPath and GetParameters, answering from a state file the
test rewrites between deployments, and appends each request (target, signature headers, body)
to a JSON-lines file. It checks no signature, it only records that one was sent.

Usage: aws_standin.py STATE_JSON REQUESTS_JSONL PORT_FILE
State: {"secrets": {ID: {"current": VERSION_ID, "versions": {VERSION_ID: SECRET_STRING}}},
        "parameters": {NAME: [VALUE_V1, VALUE_V2, ...]},
        "deny": [TARGET...], "delay_seconds": N}
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state_file, requests_file, port_file = sys.argv[1:4]


def state():
    with open(state_file) as f:
        return json.load(f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, message):
        self.answer(400, {"__type": code, "message": message})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        with open(requests_file, "a") as f:
            f.write(json.dumps({
                "target": target,
                "content_type": self.headers.get("Content-Type", ""),
                "authorization": self.headers.get("Authorization", ""),
                "x_amz_date": self.headers.get("X-Amz-Date", ""),
                "body": body,
            }) + "\n")
        s = state()
        if s.get("delay_seconds"):
            time.sleep(s["delay_seconds"])
        if target in s.get("deny", []):
            return self.error("AccessDeniedException",
                              "User: arn:aws:sts::123456789012:assumed-role/fical/i-0 is not authorized")
        if target == "secretsmanager.GetSecretValue":
            return self.get_secret_value(s, body)
        if target == "AmazonSSM.GetParametersByPath":
            return self.get_parameters_by_path(s, body)
        if target == "AmazonSSM.GetParameters":
            return self.get_parameters(s, body)
        return self.error("UnknownOperationException", "unknown target " + target)

    def get_secret_value(self, s, body):
        secret = s.get("secrets", {}).get(body.get("SecretId"))
        if secret is None:
            return self.error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        version = body.get("VersionId") or secret["current"]
        if version not in secret["versions"]:
            return self.error("ResourceNotFoundException",
                              "Secrets Manager can't find the specified secret value for VersionId")
        self.answer(200, {"ARN": "arn:aws:secretsmanager:eu-north-1:123456789012:secret:" + body["SecretId"],
                          "Name": body["SecretId"], "VersionId": version,
                          "SecretString": secret["versions"][version],
                          "VersionStages": ["AWSCURRENT"] if version == secret["current"] else [],
                          "CreatedDate": 1764547200.0})

    @staticmethod
    def parameter(name, version, value):
        return {"Name": name, "Type": "SecureString", "Value": value, "Version": version,
                "LastModifiedDate": 1764547200.0, "DataType": "text",
                "ARN": "arn:aws:ssm:eu-north-1:123456789012:parameter" + name}

    def get_parameters_by_path(self, s, body):
        path = body.get("Path", "")
        found = [self.parameter(name, len(values), values[-1])
                 for name, values in sorted(s.get("parameters", {}).items()) if name.startswith(path)]
        self.answer(200, {"Parameters": found})

    def get_parameters(self, s, body):
        found, invalid = [], []
        for selector in body.get("Names", []):
            name, _, version = selector.partition(":")
            values = s.get("parameters", {}).get(name)
            if values is None or (version and not (version.isdigit() and 1 <= int(version) <= len(values))):
                invalid.append(selector)
                continue
            v = int(version) if version else len(values)
            p = self.parameter(name, v, values[v - 1])
            if version:
                p["Selector"] = ":" + version
            found.append(p)
        self.answer(200, {"Parameters": found, "InvalidParameters": invalid})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
