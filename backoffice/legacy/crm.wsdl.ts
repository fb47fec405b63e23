/** The WSDL of the legacy CRM's PartyService (document/literal): GetParties by number, FindParties with offset paging. */
export function partyServiceWsdl(location: string): string {
  const text = (name: string): string => `<xsd:element name="${name}" type="xsd:string" minOccurs="0"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions name="PartyService" targetNamespace="urn:legacy-crm" xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:legacy-crm" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <types>
    <xsd:schema targetNamespace="urn:legacy-crm" elementFormDefault="qualified">
      <xsd:complexType name="Address"><xsd:sequence>${['Line1', 'Line2', 'Zip', 'City', 'CountryIso'].map(text).join('')}</xsd:sequence></xsd:complexType>
      <xsd:complexType name="Party"><xsd:sequence>
        ${['PartyNo', 'PartyType', 'Forename', 'Surname', 'OrgName', 'EMail', 'MobileNo', 'Locale', 'Tier'].map(text).join('')}
        <xsd:element name="Addr" type="tns:Address" minOccurs="0"/>
        ${['ContactPref', 'OptIns', 'ClientSince'].map(text).join('')}
      </xsd:sequence></xsd:complexType>
      <xsd:element name="GetPartiesRequest"><xsd:complexType><xsd:sequence>
        <xsd:element name="PartyNo" type="xsd:string" minOccurs="1" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="GetPartiesResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="Party" type="tns:Party" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="FindPartiesRequest"><xsd:complexType><xsd:sequence>
        <xsd:element name="Query" type="xsd:string" minOccurs="0"/>
        <xsd:element name="Start" type="xsd:int"/>
        <xsd:element name="Rows" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="FindPartiesResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="Total" type="xsd:int"/>
        <xsd:element name="Party" type="tns:Party" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </types>
  <message name="GetPartiesIn"><part name="parameters" element="tns:GetPartiesRequest"/></message>
  <message name="GetPartiesOut"><part name="parameters" element="tns:GetPartiesResponse"/></message>
  <message name="FindPartiesIn"><part name="parameters" element="tns:FindPartiesRequest"/></message>
  <message name="FindPartiesOut"><part name="parameters" element="tns:FindPartiesResponse"/></message>
  <portType name="PartyPort">
    <operation name="GetParties"><input message="tns:GetPartiesIn"/><output message="tns:GetPartiesOut"/></operation>
    <operation name="FindParties"><input message="tns:FindPartiesIn"/><output message="tns:FindPartiesOut"/></operation>
  </portType>
  <binding name="PartyBinding" type="tns:PartyPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetParties"><soap:operation soapAction="urn:legacy-crm#GetParties"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="FindParties"><soap:operation soapAction="urn:legacy-crm#FindParties"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="PartyService"><port name="PartyPort" binding="tns:PartyBinding"><soap:address location="${location}"/></port></service>
</definitions>`;
}
