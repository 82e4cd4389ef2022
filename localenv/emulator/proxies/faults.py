"""The RDS faults of the proxy APIs that moto does not define."""

from moto.rds.exceptions import RDSClientError


class InvalidSubnet(RDSClientError):
    def __init__(self, message):
        super().__init__("InvalidSubnet", message)


class InvalidDBProxyStateFault(RDSClientError):
    def __init__(self, name, status, action):
        super().__init__("InvalidDBProxyStateFault",
                         "Cannot %s DB proxy %s while it is %s; wait until it is available." % (action, name, status))


class DBProxyTargetGroupNotFoundFault(RDSClientError):
    def __init__(self, proxy_name, group_name):
        super().__init__("DBProxyTargetGroupNotFoundFault",
                         "The specified target group %s isn't available for the proxy %s owned by your Amazon Web Services "
                         "account in the specified Amazon Web Services Region." % (group_name, proxy_name))


class DBProxyTargetAlreadyRegisteredFault(RDSClientError):
    def __init__(self, message):
        super().__init__("DBProxyTargetAlreadyRegisteredFault", message)


class DBProxyTargetNotFoundFault(RDSClientError):
    def __init__(self, message):
        super().__init__("DBProxyTargetNotFoundFault", message)


class InvalidDBInstanceState(RDSClientError):
    def __init__(self, message):
        super().__init__("InvalidDBInstanceState", message)


class InvalidDBClusterStateFault(RDSClientError):
    def __init__(self, message):
        super().__init__("InvalidDBClusterStateFault", message)
